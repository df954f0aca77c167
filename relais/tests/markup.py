"""The markup of a page, read by the standard HTML parser: what elements, attributes, script blocks and text
it holds, and what in it a template did not write (relais/tests/test_attacks_xss.py)."""

import html.parser
import json
import re

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "xlink:href", "srcdoc"}
JSON_TYPES = {"application/ld+json", "application/json"}


class Probe(html.parser.HTMLParser):
    """What a page's markup holds: its elements with their attributes, its script blocks, its text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements, self.scripts, self.text = [], [], []
        self._script = None

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag == "script":
            self._script = (dict(attrs), [])

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            attrs, parts = self._script
            self.scripts.append((attrs, "".join(parts)))
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self._script[1].append(data)
        else:
            self.text.append(data)


def injections(content):
    """What in this markup was not written by the templates: a list of findings (empty when safe)."""
    probe = Probe()
    probe.feed(content)
    probe.close()
    found = []
    for tag, attrs in probe.elements:
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(f"<{tag} {name}=…>")
            if (
                name in URL_ATTRIBUTES
                and value
                and re.sub(r"[\s\x00-\x1f]", "", value)
                .lower()
                .startswith(("javascript:", "vbscript:", "data:text/html"))
            ):
                found.append(f"<{tag} {name}={value!r}>")
        if tag == "img" and attrs.get("src") == "x":
            found.append("<img src=x>")
    for attrs, body in probe.scripts:
        kind = (attrs.get("type") or "").lower()
        if kind in JSON_TYPES:
            try:
                json.loads(body)
            except ValueError:
                found.append(f"a JSON block broken open: {body[:80]!r}")
        elif "src" not in attrs or body.strip():
            found.append(f"an inline script: {body[:80]!r}")
    return found, probe
