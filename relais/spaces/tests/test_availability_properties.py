"""The availability arithmetic against a brute-force oracle that counts minute by minute."""

import datetime

import numpy as np
import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relais.spaces import schedule, services
from relais.spaces.models import Booking, Closure, Resource

from .conftest import PARIS

DAY = 12 * 60  # a small day: 12 hours of minutes


def intervals(max_count, lo=0, hi=DAY + 120):
    pair = st.tuples(st.integers(lo, hi), st.integers(1, 240)).map(lambda p: (p[0], p[0] + p[1]))
    return st.lists(pair, max_size=max_count)


bookings_strategy = st.lists(
    st.tuples(st.integers(-120, DAY + 60), st.integers(1, 300), st.integers(1, 3)).map(
        lambda b: (b[0], b[0] + b[1], b[2])
    ),
    max_size=12,
)


def split(pairs):
    return [p[0] for p in pairs], [p[1] for p in pairs]


def open_oracle(s, e, layers, closures):
    """Every minute of [s, e) is in every layer and in no closure."""
    return all(any(a <= m < b for a, b in layer) for layer in layers for m in range(s, e)) and not any(
        a <= m < b for a, b in closures for m in range(s, e)
    )


def oracle(granularity, capacity, buffer, bookings, layers, closures, bookable_from, bookable_until):
    result = []
    for s in range(0, DAY, granularity):
        e = s + granularity
        ok = open_oracle(s, e, layers, closures)
        if bookable_from is not None and s < bookable_from:
            ok = False
        if bookable_until is not None and s > bookable_until:
            ok = False
        if not ok:
            result.append(0)
            continue
        peak = max(sum(q for bs, be, q in bookings if bs <= m < be + buffer) for m in range(s, e + buffer))
        result.append(max(capacity - peak, 0))
    return result


@settings(max_examples=300, deadline=None)
@given(
    granularity=st.sampled_from([5, 10, 15, 20, 30, 60, 120]),
    capacity=st.integers(1, 5),
    buffer=st.integers(0, 45),
    bookings=bookings_strategy,
    layers=st.lists(intervals(4, 0, DAY), max_size=2),
    closures=intervals(2, 0, DAY),
    bookable_from=st.none() | st.integers(0, DAY),
    bookable_until=st.none() | st.integers(0, DAY),
)
def test_free_capacity_matches_minute_by_minute_counting(
    granularity, capacity, buffer, bookings, layers, closures, bookable_from, bookable_until
):
    starts = np.arange(0, DAY, granularity)
    free = schedule.free_capacity(
        starts,
        starts + granularity,
        capacity=capacity,
        buffer=buffer,
        bookings=([b[0] for b in bookings], [b[1] for b in bookings], [b[2] for b in bookings]),
        open_layers=[split(layer) for layer in layers],
        closures=split(closures),
        bookable_from=bookable_from,
        bookable_until=bookable_until,
    )
    expected = oracle(
        granularity, capacity, buffer, bookings, layers, closures, bookable_from, bookable_until
    )
    assert free.tolist() == expected


def state_oracle(
    granularity, capacity, buffer, bookings, layers, closures, bookable_from, bookable_until, now
):
    """Why each slot is not free, in the order the page tells it: closed (hours), past, closure, full,
    notice, horizon."""
    plain = oracle(granularity, capacity, buffer, bookings, layers, closures, None, None)
    result = []
    for i, s in enumerate(range(0, DAY, granularity)):
        e = s + granularity
        if not open_oracle(s, e, layers, []):
            result.append("closed")
        elif now is not None and s < now:
            result.append("past")
        elif not open_oracle(s, e, layers, closures):
            result.append("closure")
        elif plain[i] == 0:
            result.append("full")
        elif bookable_from is not None and s < bookable_from:
            result.append("notice")
        elif bookable_until is not None and s > bookable_until:
            result.append("horizon")
        else:
            result.append("free")
    return result


@settings(max_examples=200, deadline=None)
@given(
    granularity=st.sampled_from([10, 15, 30, 60]),
    capacity=st.integers(1, 4),
    buffer=st.integers(0, 30),
    bookings=bookings_strategy,
    layers=st.lists(intervals(4, 0, DAY), max_size=2),
    closures=intervals(2, 0, DAY),
    now=st.none() | st.integers(0, DAY),
    notice=st.integers(0, 120),
    horizon=st.none() | st.integers(0, DAY),
)
def test_each_slot_says_why_it_is_not_free(
    granularity, capacity, buffer, bookings, layers, closures, now, notice, horizon
):
    bookable_from = None if now is None else now + notice
    starts = np.arange(0, DAY, granularity)
    query = schedule.SlotQuery(
        starts,
        starts + granularity,
        capacity=capacity,
        buffer=buffer,
        bookings=([b[0] for b in bookings], [b[1] for b in bookings], [b[2] for b in bookings]),
        open_layers=[split(layer) for layer in layers],
        closures=split(closures),
        bookable_from=bookable_from,
        bookable_until=horizon,
        now=now,
    )
    [(free, states)] = schedule.free_capacity_many([query], with_states=True)
    names = [schedule.STATE_NAMES[code] for code in states.tolist()]
    assert names == state_oracle(
        granularity, capacity, buffer, bookings, layers, closures, bookable_from, horizon, now
    )
    assert [n == "free" for n in names] == [f > 0 for f in free.tolist()]


@settings(max_examples=300, deadline=None)
@given(
    bookings=bookings_strategy,
    buffer=st.integers(0, 45),
    window=st.tuples(st.integers(0, DAY), st.integers(1, 300)),
)
def test_max_load_matches_minute_by_minute_counting(bookings, buffer, window):
    lo, hi = window[0], window[0] + window[1]
    arrays = ([b[0] for b in bookings], [b[1] for b in bookings], [b[2] for b in bookings])
    expected = max(sum(q for bs, be, q in bookings if bs <= m < be + buffer) for m in range(lo, hi))
    assert schedule.max_load(arrays, buffer, lo, hi) == expected


@settings(max_examples=300, deadline=None)
@given(layer=intervals(5, 0, 200), window=st.tuples(st.integers(0, 200), st.integers(1, 100)))
def test_covers_matches_minute_by_minute_checking(layer, window):
    lo, hi = window[0], window[0] + window[1]
    expected = all(any(a <= m < b for a, b in layer) for m in range(lo, hi))
    assert schedule.covers(split(layer), lo, hi) == expected


@settings(max_examples=200, deadline=None)
@given(
    granularity=st.sampled_from([15, 30, 60]),
    capacity=st.integers(1, 4),
    buffer=st.integers(0, 30),
    bookings=bookings_strategy,
    layers=st.lists(intervals(4, 0, DAY), max_size=2),
    closures=intervals(2, 0, DAY),
)
def test_a_slot_is_free_exactly_when_a_booking_of_it_fits(
    granularity, capacity, buffer, bookings, layers, closures
):
    """What availability shows is what `book` accepts: the same rule, read per slot or per request."""
    starts = np.arange(0, DAY, granularity)
    arrays = ([b[0] for b in bookings], [b[1] for b in bookings], [b[2] for b in bookings])
    free = schedule.free_capacity(
        starts,
        starts + granularity,
        capacity=capacity,
        buffer=buffer,
        bookings=arrays,
        open_layers=[split(layer) for layer in layers],
        closures=split(closures),
    )
    for s, f in zip(starts.tolist(), free.tolist(), strict=True):
        e = s + granularity
        in_hours = all(schedule.covers(split(layer), s, e) for layer in layers)
        closed = any(a < e and b > s for a, b in closures)
        fits = capacity - schedule.max_load(arrays, buffer, s, e + buffer)
        assert f == (max(fits, 0) if in_hours and not closed else 0)


slot_query = st.fixed_dictionaries(
    {
        "granularity": st.sampled_from([10, 15, 30, 60]),
        "capacity": st.integers(1, 4),
        "buffer": st.integers(0, 30),
        "bookings": bookings_strategy,
        "layers": st.lists(intervals(3, 0, DAY), max_size=2),
        "closures": intervals(2, 0, DAY),
    }
)


@settings(max_examples=150, deadline=None)
@given(specs=st.lists(slot_query, min_size=1, max_size=4), shared_layer=intervals(3, 0, DAY))
def test_many_resources_at_once_give_what_each_gives_alone(specs, shared_layer):
    """The batched computation of a whole place (one row per resource, shared layers) is exact too."""
    shared = split(shared_layer)
    queries, expected = [], []
    for spec in specs:
        g = spec["granularity"]
        starts = np.arange(0, DAY, g)
        b = spec["bookings"]
        queries.append(
            schedule.SlotQuery(
                starts,
                starts + g,
                capacity=spec["capacity"],
                buffer=spec["buffer"],
                bookings=([x[0] for x in b], [x[1] for x in b], [x[2] for x in b]),
                open_layers=[shared, *(split(layer) for layer in spec["layers"])],
                closures=split(spec["closures"]),
            )
        )
        expected.append(
            oracle(
                g,
                spec["capacity"],
                spec["buffer"],
                b,
                [shared_layer, *spec["layers"]],
                spec["closures"],
                None,
                None,
            )
        )
    assert [f.tolist() for f in schedule.free_capacity_many(queries)] == expected


# --- The same property through the database adapter (availability of a resource read from its rows) ----

HOURS = {
    "": [(0, 1440)],
    "Mo-Su 08:00-12:00,13:00-19:00": [(480, 720), (780, 1140)],
    "Tu 10:00-16:30": [(600, 990)],
}


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    granularity=st.sampled_from([15, 30, 60]),
    capacity=st.integers(1, 4),
    buffer=st.sampled_from([0, 10, 15, 30]),
    hours=st.sampled_from(sorted(HOURS)),
    bookings=st.lists(
        st.tuples(st.integers(0, 95), st.integers(1, 16), st.integers(1, 2)).map(
            lambda b: (b[0] * 15, b[0] * 15 + b[1] * 15, b[2])
        ),
        max_size=10,
    ),
    closures=st.lists(
        st.tuples(st.integers(0, 1400), st.integers(1, 300)).map(lambda c: (c[0], c[0] + c[1])), max_size=2
    ),
)
def test_availability_read_from_the_database_matches_the_oracle(
    place, granularity, capacity, buffer, hours, bookings, closures
):
    day = datetime.date(2026, 3, 3)  # a Tuesday, UTC+1 all day
    midnight = datetime.datetime(2026, 3, 3, tzinfo=PARIS)

    def at(minute):
        return midnight + datetime.timedelta(minutes=minute)

    with transaction.atomic():
        place.opening_hours = "24/7"
        place.save()
        resource = Resource.objects.create(
            place=place,
            kind="desk_pool",
            name="Open space",
            capacity=capacity,
            buffer_minutes=buffer,
            granularity_minutes=granularity,
            bookable_hours=hours,
            max_duration_minutes=1440,
        )
        Booking.objects.bulk_create(
            [
                Booking(
                    resource=resource,
                    place=place,
                    start=at(s),
                    end=at(e),
                    quantity=min(q, capacity),
                    person_name="x",
                )
                for s, e, q in bookings
            ]
        )
        Closure.objects.bulk_create([Closure(place=place, start=at(s), end=at(e)) for s, e in closures])
        got = services.availability(
            resource, day, day, now=midnight - datetime.timedelta(days=1)
        ).free.tolist()
        transaction.set_rollback(True)
    clipped = [(s, e, min(q, capacity)) for s, e, q in bookings]
    assert got == oracle_day(granularity, capacity, buffer, clipped, [HOURS[hours]], closures)


def oracle_day(granularity, capacity, buffer, bookings, layers, closures):
    result = []
    for s in range(0, 1440, granularity):
        e = s + granularity
        ok = all(any(a <= s and e <= b for a, b in layer) for layer in layers) and not any(
            a < e and b > s for a, b in closures
        )
        if not ok:
            result.append(0)
            continue
        peak = max(sum(q for bs, be, q in bookings if bs <= m < be + buffer) for m in range(s, e + buffer))
        result.append(max(capacity - peak, 0))
    return result
