/* Relais: inserts the widget of a commune (an iframe) right after this script tag.
 *   <script src="https://relais.example/territoires/widget.js" data-commune="15014" async></script>
 * Options: data-n (places shown, 1 to {{ max_count }}), data-typologie (a typology code, e.g. FABLAB),
 * data-rayon (km), data-hauteur (a fixed height in pixels; without it the frame starts at {{ height }} pixels
 * then grows or shrinks to its content, as the widget page reports it), data-titre (title of the frame). */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.hasAttribute("data-commune")) {
    var scripts = document.querySelectorAll("script[data-commune]:not([data-relais-done])");
    script = scripts.length ? scripts[0] : null;
  }
  if (!script || script.hasAttribute("data-relais-done")) return;
  script.setAttribute("data-relais-done", "");
  var commune = (script.getAttribute("data-commune") || "").trim().toUpperCase();
  if (!/^(\d{5}|2[AB]\d{3})$/.test(commune)) {
    if (window.console) console.warn("Relais : data-commune doit être un code INSEE de 5 caractères.");
    return;
  }
  var url = new URL("{{ widget_path|escapejs }}".replace("00000", commune), script.src);
  var options = { n: "data-n", typologie: "data-typologie", rayon: "data-rayon" };
  for (var name in options) {
    var value = script.getAttribute(options[name]);
    if (value) url.searchParams.set(name, value);
  }
  var height = parseInt(script.getAttribute("data-hauteur"), 10);
  var frame = document.createElement("iframe");
  frame.src = url.href;
  frame.title = script.getAttribute("data-titre") || "Lieux proches de votre commune (Relais)";
  frame.width = "100%";
  frame.height = String(height > 0 ? height : {{ height }});
  frame.loading = "lazy";
  frame.style.border = "0";
  frame.style.maxWidth = "100%";
  script.parentNode.insertBefore(frame, script.nextSibling);
  if (height > 0) return;
  // The widget page posts the height of its content; only messages from this frame, from the widget's
  // origin, with a plausible height, are heeded.
  window.addEventListener("message", function (event) {
    if (event.origin !== url.origin || event.source !== frame.contentWindow) return;
    var data = event.data;
    if (!data || data.type !== "relais-widget-height") return;
    var content = Number(data.height);
    if (!isFinite(content) || content < 50) return;
    frame.height = String(Math.min(Math.ceil(content), {{ max_height }}));
  });
})();
