"""A geocoder that answers from a table given to it: the tests' backend (no network), and a way to replay
a known set of answers."""

from relais.core.text import normalize_name

from . import Geocoder, GeocodeResult


def address_key(address, code_insee):
    """How the table finds an answer: the address as written (case, accents and spacing aside) and the
    commune's INSEE code."""
    return (normalize_name(address), code_insee)


class FakeGeocoder(Geocoder):
    """`table` maps `address_key(address, code_insee)` to (latitude, longitude, score, result_type, label,
    citycode). An address not in the table is not found. `batches` keeps the queries of each call."""

    def __init__(self, table=None):
        self.table = dict(table or {})
        self.batches = []

    def geocode(self, queries):
        self.batches.append(list(queries))
        found = {}
        for query in queries:
            answer = self.table.get(address_key(query.address, query.code_insee))
            if answer is not None:
                found[query.id] = GeocodeResult(query.id, *answer)
        return found
