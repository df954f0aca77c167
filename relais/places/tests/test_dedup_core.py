"""The computational core of deduplication: hand-made cases, no database."""

from relais.places import dedup_core as core

# Chaudes-Aigues (15045): the France Services of the 2024 list and the same one in the 2022 list.
LAT, LON = 44.85306, 3.00361


def entry(key, name, **kwargs):
    kwargs.setdefault("commune", "15045")
    kwargs.setdefault("commune_name", "Chaudes-Aigues")
    kwargs.setdefault("latitude", LAT)
    kwargs.setdefault("longitude", LON)
    return core.Entry(key=key, name=name, **kwargs)


def codes(reasons):
    return {r.code for r in reasons}


def test_names_lose_their_generic_words_and_the_commune():
    assert core.name_tokens("Maison France Services de Chaudes-Aigues", "Chaudes-Aigues") == []
    assert core.name_tokens("Espace Numérique de l'Étang", "Paris") == ["numerique", "etang"]
    assert core.address_parts("12 bis av. J. Jaurès", "15000", "Aurillac") == (
        "12",
        ["avenue", "j", "jaures"],
    )


def test_placeholder_identifiers_are_no_identifiers():
    assert core.clean_siret("00000000000000") == ""
    assert core.clean_siret("213 200 336 00011") == "21320033600011"
    assert core.clean_phone("+33 4 71 23 45 67") == "0471234567"


def test_the_same_france_services_in_two_lists_40_m_apart_with_other_names_is_sure():
    a = entry(
        "fs-1",
        "France services Chaudes Aigues",
        source="ANCT",
        address="29 Avenue Pierre Vialard",
        labels=frozenset({"FRANCE_SERVICES"}),
    )
    b = entry(
        "cnfs-1",
        "Maison France Services de Chaudes-Aigues",
        source="Médiation numérique 2022",
        address="29 av. Pierre-Vialard",
        latitude=LAT + 0.00036,  # 40 m north
        labels=frozenset({"FRANCE_SERVICES", "CONSEILLER_NUMERIQUE"}),
    )
    result = core.find_duplicates([a, b])
    assert [p.keys for p in result.sure] == [("fs-1", "cnfs-1")]
    pair = result.sure[0]
    assert {"distance", "name_generic", "address_same", "both_france_services"} <= codes(pair.reasons)
    assert pair.score == sum(r.points for r in pair.reasons)
    distance = next(r for r in pair.reasons if r.code == "distance")
    assert 35 <= int(distance.detail) <= 45


def test_two_places_in_the_same_building_are_not_sure():
    a = entry("a", "Médiathèque de Chaudes-Aigues", address="1 place du Marché", source="X")
    b = entry("b", "Centre social Le Lien", address="1 place du Marché", source="Y")
    total, reasons = core.score(a, b)
    assert total < core.SURE
    assert "name_different" in codes(reasons)
    result = core.find_duplicates([a, b])
    assert not result.sure


def test_the_same_siret_close_by_is_sure_but_far_away_is_not():
    a = entry("a", "Espace numérique communal", siret="21150045900014", address="2 rue du Pont", source="X")
    b = entry(
        "b",
        "Espace numérique de la mairie",
        siret="21150045900014",
        address="4 rue du Pont",
        latitude=LAT + 0.0013,  # 150 m
        source="Y",
    )
    result = core.find_duplicates([a, b])
    assert [p.keys for p in result.sure] == [("a", "b")]
    assert "siret_same" in codes(result.sure[0].reasons)
    far = entry("c", "Espace numérique communal", siret="21150045900014", latitude=LAT + 0.02, source="Y")
    total, reasons = core.score(a, far)
    assert total < core.SURE and "siret_same" in codes(reasons)


def test_far_places_with_the_same_name_in_one_commune_are_compared_but_not_matched():
    a = entry("a", "Bibliothèque", source="X")
    b = entry("b", "Bibliothèque", latitude=LAT + 0.03, source="X")  # 3 km, same list
    result = core.find_duplicates([a, b])
    assert result.compared == 1
    assert not result.sure and not result.unsure


def test_decided_pairs_are_skipped_in_either_order():
    a = entry("a", "France services Chaudes Aigues", labels=frozenset({"FRANCE_SERVICES"}))
    b = entry("b", "Maison France Services", labels=frozenset({"FRANCE_SERVICES"}))
    assert core.find_duplicates([a, b]).sure
    assert not core.find_duplicates([a, b], skip={("b", "a")}).sure


def test_clusters_join_chains_of_pairs():
    pairs = [core.Pair("a", "b", 80), core.Pair("b", "c", 75), core.Pair("x", "y", 90)]
    assert sorted(map(sorted, core.clusters(pairs))) == [["a", "b", "c"], ["x", "y"]]


def test_merge_takes_the_newest_confirmed_value_adds_up_lists_and_lists_conflicts():
    old = core.Candidate(
        "2022",
        "2022-05-09",
        {
            "name": "Maison France Services",
            "phone": "0471000000",
            "websites": ["https://example.org"],
            "labels": ["CONSEILLER_NUMERIQUE"],
            "opening_hours": "Mo 09:00-12:00",
            "latitude": 44.0,
            "longitude": 3.0,
            "location_approximate": False,
            "source": "old",
        },
    )
    new = core.Candidate(
        "2024",
        "2024-08-01",
        {
            "name": "France services Chaudes Aigues",
            "phone": "",
            "websites": [],
            "labels": ["FRANCE_SERVICES"],
            "opening_hours": "Mo-Fr 09:00-12:00",
            "latitude": 44.0001,
            "longitude": 3.0,
            "location_approximate": False,
            "source": "new",
            "data_updated_on": "2024-08-01",
        },
    )
    merged = core.merge_values([old, new])
    assert merged.values["name"] == "France services Chaudes Aigues"
    assert merged.values["phone"] == "0471000000"  # only the old list had it
    assert merged.values["labels"] == ["CONSEILLER_NUMERIQUE", "FRANCE_SERVICES"]
    assert merged.values["opening_hours"] == "Mo-Fr 09:00-12:00"
    assert "source" not in merged.values
    assert merged.provenance["name"] == "2024" and merged.provenance["phone"] == "2022"
    conflicts = {c["field"]: c for c in merged.conflicts}
    assert conflicts["name"]["others"] == [["2022", "Maison France Services"]]
    assert "opening_hours" in conflicts
    assert "latitude" not in conflicts  # 11 m apart: the same position


def test_merge_prefers_a_real_position_to_the_communes_reference_point():
    precise = core.Candidate(
        "a", "2020-01-01", {"latitude": 44.1, "longitude": 3.1, "location_approximate": False}
    )
    rough = core.Candidate(
        "b", "2024-01-01", {"latitude": 44.0, "longitude": 3.0, "location_approximate": True}
    )
    merged = core.merge_values([rough, precise])
    assert (merged.values["latitude"], merged.provenance["latitude"]) == (44.1, "a")


def test_two_buses_of_one_list_kept_in_one_garage_are_not_merged():
    a = entry(
        "a", "Bus France services Pimms Grenoble - ZR", source="ANCT", itinerant=True, address="97 galerie"
    )
    b = entry(
        "b", "Bus France services Pimms Grenoble - QPV", source="ANCT", itinerant=True, address="97 galerie"
    )
    total, reasons = core.score(a, b)
    assert total < core.SURE and "itinerant_same_list" in codes(reasons)
    fixed = entry("c", "France services Pimms Grenoble", source="ANCT", address="97 galerie")
    assert core.score(a, fixed)[0] < core.SURE
    other_list = entry("d", "Pimms Grenoble", source="Médiation 2022", address="97 galerie")
    total, reasons = core.score(a, other_list)
    assert "one_itinerant" in codes(reasons)


def bus_and_home(other_source="ANCT"):
    """A bus of the 2024 list and the site where it is kept, as the real lists give them (Sevran): same
    organisation, address and phone, 1 m apart, and the bus's name is the site's name with « Bus »."""
    home = entry(
        "home",
        "France services Pimms Médiation Sevran",
        source=other_source,
        address="2 Avenue Salvador Allende",
        phone="0143831717",
        labels=frozenset({"FRANCE_SERVICES"}),
        typologies=frozenset({"FRANCE_SERVICES"}),
    )
    bus = entry(
        "bus",
        "Bus France services Pimms Médiation Sevran",
        source="ANCT",
        address="2 avenue Salvador Allende",
        phone="01 43 83 17 17",
        latitude=LAT + 0.00001,
        labels=frozenset({"FRANCE_SERVICES"}),
        typologies=frozenset({"FRANCE_SERVICES"}),
        itinerant=True,
    )
    return home, bus


def test_a_bus_and_the_fixed_site_of_its_list_are_not_a_pair():
    home, bus = bus_and_home()
    total, reasons = core.score(home, bus)
    assert total == core.UNSURE - 1 and "itinerant_fixed_same_list" in codes(reasons)
    assert total == sum(r.points for r in reasons)
    result = core.find_duplicates([home, bus])
    assert result.sure == [] and result.unsure == [] and result.compared == 1


def test_a_bus_and_a_fixed_site_of_another_list_go_to_review_never_merged():
    home, bus = bus_and_home(other_source="Médiation numérique 2022")
    total, reasons = core.score(home, bus)
    assert total == core.SURE - 1 and "itinerant_review" in codes(reasons)
    result = core.find_duplicates([home, bus])
    assert result.sure == [] and [p.keys for p in result.unsure] == [("home", "bus")]
    # The ceiling follows the thresholds the caller sorts by.
    assert core.find_duplicates([home, bus], sure=50, unsure=30).unsure[0].score == 49


def test_two_fixed_sites_keep_their_score():
    home, bus = bus_and_home()
    fixed_twin = core.Entry(**{**bus.__dict__, "key": "twin", "itinerant": False})
    total, reasons = core.score(home, fixed_twin)
    assert total >= core.SURE and not {"itinerant_review", "itinerant_fixed_same_list"} & codes(reasons)
