"""The arithmetic of availability, on integer minutes since the Unix epoch (UTC). No Django here.

A booking of quantity q on [start, end) with a preparation buffer b occupies q units on [start, end + b):
the buffer follows each booking. A new booking [s, e) fits when, at every minute of [s, e + b), the
units occupied plus its own quantity stay within the capacity. A slot's free capacity is the quantity a
booking of exactly that slot could take, so it is read over [slot start, slot end + b) too.

Everything is computed on a minute grid with numpy (a week is 10,080 cells): difference arrays for the
load and the open/closed masks, `ufunc.reduceat` for the per-slot minimum and maximum.
"""

import datetime
import math
from dataclasses import dataclass

import numpy as np

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)

# The state of a slot (`free_capacity_many(..., with_states=True)`): why it has no free unit.
# BUFFER: full only because of the preparation time between bookings (set by `services.availability`).
FREE, CLOSED, FULL, PAST, NOTICE, HORIZON, CLOSURE, BUFFER = range(8)
STATE_NAMES = {
    BUFFER: "buffer",
    FREE: "free",
    CLOSED: "closed",
    FULL: "full",
    PAST: "past",
    NOTICE: "notice",
    HORIZON: "horizon",
    CLOSURE: "closure",
}


def to_minutes(moment):
    """Whole minutes since the epoch of an aware datetime (seconds are dropped)."""
    return math.floor((moment - EPOCH).total_seconds() / 60)


def to_minutes_ceil(moment):
    return math.ceil((moment - EPOCH).total_seconds() / 60)


def from_minutes(minutes):
    return EPOCH + datetime.timedelta(minutes=int(minutes))


def _as_intervals(intervals):
    starts, ends = intervals if intervals is not None else ((), ())
    return np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64)


def _coverage(intervals, origin, length):
    """Number of intervals covering each minute of [origin, origin + length)."""
    starts, ends = _as_intervals(intervals)
    diff = np.zeros(length + 1, dtype=np.int64)
    if len(starts):
        s = np.clip(starts - origin, 0, length)
        e = np.clip(ends - origin, 0, length)
        keep = e > s
        np.add.at(diff, s[keep], 1)
        np.add.at(diff, e[keep], -1)
    return np.cumsum(diff[:length])


@dataclass
class SlotQuery:
    """What the free capacity of one resource's slots depends on (all times in minutes).

    `bookings`: (starts, ends, quantities) of the bookings that hold units; `open_layers`: interval sets
    (starts, ends) the whole slot must lie in, all of them (the resource's hours, the place's hours);
    `closures`: intervals the slot must not touch; `bookable_from`/`bookable_until`: bounds on the slot's
    start (minimum notice, booking horizon).
    """

    slot_starts: object
    slot_ends: object
    capacity: int
    buffer: int = 0
    bookings: tuple = ((), (), ())
    open_layers: tuple = ()
    closures: object = None
    bookable_from: int | None = None
    bookable_until: int | None = None
    now: int | None = None  # slots starting before it are past (for the states only)


def free_capacity(slot_starts, slot_ends, **kwargs):
    """Free units of each slot [slot_starts[i], slot_ends[i]), 0 where it cannot be booked."""
    return free_capacity_many([SlotQuery(slot_starts, slot_ends, **kwargs)])[0]


def free_capacity_many(queries, *, with_states=False):
    """`free_capacity` of several resources at once: one row of minutes per resource, a handful of numpy
    calls for all of them (a place's week: 60 rows of 10,080 minutes).

    With `with_states`, a (free, states) pair per resource: each slot's state says why it has no free unit,
    the first that applies of: CLOSED (outside the hours), PAST, CLOSURE (within the hours but during a
    closure), FULL (taken by bookings), NOTICE (inside the minimum notice), HORIZON (beyond the booking
    horizon); FREE otherwise.
    """
    queries = list(queries)
    starts = [np.asarray(q.slot_starts, dtype=np.int64) for q in queries]
    ends = [np.asarray(q.slot_ends, dtype=np.int64) for q in queries]
    counts = [len(s) for s in starts]
    if not sum(counts):
        empty = [np.zeros(0, dtype=np.int64) for _ in queries]
        return [(e, e.copy()) for e in empty] if with_states else empty
    origin = min(int(s.min()) for s in starts if len(s))
    length = max(int(e.max()) + q.buffer for e, q in zip(ends, queries, strict=True) if len(e)) - origin
    width = length + 1  # one spare column per row: slot ends may reach `length`
    rows = len(queries)

    # Open minutes: each distinct layer's coverage computed once, then ANDed per row.
    ok = np.zeros((rows, width), dtype=bool)
    in_hours = np.zeros((rows, width), dtype=bool) if with_states else None
    layer_cache = {}
    for r, q in enumerate(queries):
        row = np.ones(length, dtype=bool)
        for layer in q.open_layers:
            key = id(layer)
            if key not in layer_cache:
                layer_cache[key] = (layer, _coverage(layer, origin, length) > 0)
            row &= layer_cache[key][1]
        if with_states:
            in_hours[r, :length] = row
        if q.closures is not None:
            key = id(q.closures)
            if key not in layer_cache:
                layer_cache[key] = (q.closures, _coverage(q.closures, origin, length) == 0)
            row &= layer_cache[key][1]
        ok[r, :length] = row

    # Units occupied: one difference array for every row, each booking shifted into its row.
    buffers = np.array([q.buffer for q in queries], dtype=np.int64)
    b_rows, b_starts, b_ends, b_qty = [], [], [], []
    for r, q in enumerate(queries):
        s, e, n = (np.asarray(a, dtype=np.int64) for a in q.bookings)
        if len(s):
            b_rows.append(np.full(len(s), r, dtype=np.int64))
            b_starts.append(s)
            b_ends.append(e + q.buffer)
            b_qty.append(n)
    diff = np.zeros(rows * width, dtype=np.int64)
    if b_rows:
        r_all = np.concatenate(b_rows)
        s_all = np.clip(np.concatenate(b_starts) - origin, 0, length)
        e_all = np.clip(np.concatenate(b_ends) - origin, 0, length)
        q_all = np.concatenate(b_qty)
        keep = e_all > s_all
        base = r_all[keep] * width
        np.add.at(diff, base + s_all[keep], q_all[keep])
        np.add.at(diff, base + e_all[keep], -q_all[keep])
    load = np.cumsum(diff.reshape(rows, width), axis=1)
    load[:, length] = 0

    # Per-slot minimum of the open mask over [start, end) and maximum of the load over
    # [start, end + buffer), all rows at once: reduceat over interleaved (start, end) flat indices.
    row_of_slot = np.repeat(np.arange(rows, dtype=np.int64), counts)
    flat_start = row_of_slot * width + (np.concatenate(starts) - origin)
    flat_end = row_of_slot * width + (np.concatenate(ends) - origin)
    idx = np.empty(2 * len(flat_start), dtype=np.int64)
    idx[0::2], idx[1::2] = flat_start, flat_end
    slot_open = np.minimum.reduceat(ok.ravel(), idx)[0::2]
    idx[1::2] += buffers[row_of_slot]
    slot_load = np.maximum.reduceat(load.ravel(), idx)[0::2]
    capacities = np.array([q.capacity for q in queries], dtype=np.int64)[row_of_slot]
    free = np.where(slot_open, np.maximum(capacities - slot_load, 0), 0)

    results = np.split(free, np.cumsum(counts)[:-1])
    if with_states:
        idx[1::2] -= buffers[row_of_slot]
        hours = np.split(np.minimum.reduceat(in_hours.ravel(), idx)[0::2], np.cumsum(counts)[:-1])
        opened = np.split(slot_open, np.cumsum(counts)[:-1])
        states = []
    for i, (q, s, f) in enumerate(zip(queries, starts, results, strict=True)):
        if with_states:
            state = np.where(opened[i], np.where(f > 0, FREE, FULL), CLOSURE)
            bookable = state == FREE
            if q.bookable_until is not None:
                state[bookable & (s > q.bookable_until)] = HORIZON
            if q.bookable_from is not None:
                state[bookable & (s < q.bookable_from)] = NOTICE
            if q.now is not None:
                state[s < q.now] = PAST
            state[~hours[i]] = CLOSED
            states.append(state)
        if q.bookable_from is not None:
            f[s < q.bookable_from] = 0
        if q.bookable_until is not None:
            f[s > q.bookable_until] = 0
    if with_states:
        return list(zip(results, states, strict=True))
    return results


def max_load(bookings, buffer, start, end):
    """Most units occupied at any minute of [start, end) by `bookings` (starts, ends, quantities)."""
    starts, ends, quantities = (np.asarray(a, dtype=np.int64) for a in bookings)
    if not len(starts) or end <= start:
        return 0
    occ_end = ends + buffer
    keep = (starts < end) & (occ_end > start)
    if not keep.any():
        return 0
    s = np.maximum(starts[keep], start)
    e = np.minimum(occ_end[keep], end)
    q = quantities[keep]
    # Sweep: ends sort before starts at the same minute (half-open intervals).
    times = np.concatenate([s, e])
    deltas = np.concatenate([q, -q])
    order = np.lexsort((deltas, times))
    return int(max(0, np.cumsum(deltas[order]).max()))


def covers(intervals, start, end):
    """True when the union of `intervals` covers [start, end) entirely."""
    starts, ends = _as_intervals(intervals)
    order = np.argsort(starts, kind="stable")
    reached = start
    for s, e in zip(starts[order].tolist(), ends[order].tolist(), strict=True):
        if s > reached:
            break
        reached = max(reached, e)
        if reached >= end:
            return True
    return reached >= end


def wall_clock_grid(tz, first_day, last_day, granularity):
    """Slots of `granularity` minutes counted from local midnight, each local day of [first_day, last_day].

    Slot boundaries are wall-clock times (09:00, 09:30…) converted to UTC minutes, so that they stay on the
    hour across clock changes; a slot swallowed by a skipped hour disappears, one across the repeated hour
    is longer.
    """
    starts, ends = [], []
    per_day = 1440 // granularity
    day = first_day
    while day <= last_day:
        midnight = _utc_minutes(datetime.datetime.combine(day, datetime.time()), tz)
        next_midnight = _utc_minutes(
            datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()), tz
        )
        if next_midnight - midnight == 1440 and _same_offset(day, tz):
            base = midnight + granularity * np.arange(per_day + 1, dtype=np.int64)
        else:
            base = np.array(
                [
                    _utc_minutes(
                        datetime.datetime.combine(day, datetime.time())
                        + datetime.timedelta(minutes=granularity * k),
                        tz,
                    )
                    for k in range(per_day)
                ]
                + [next_midnight],
                dtype=np.int64,
            )
        s, e = base[:-1], base[1:]
        keep = e > s
        starts.append(s[keep])
        ends.append(e[keep])
        day += datetime.timedelta(days=1)
    if not starts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(starts), np.concatenate(ends)


def _utc_minutes(naive_local, tz):
    """UTC minutes of a wall-clock time in `tz`: a skipped time moves forward, a repeated one is the first."""
    aware = naive_local.replace(tzinfo=tz)
    return to_minutes(aware.astimezone(datetime.UTC).astimezone(tz))


def _same_offset(day, tz):
    """No clock change during `day` in `tz` (offsets equal at its start, noon and end)."""
    moments = [datetime.datetime.combine(day, datetime.time(h), tzinfo=tz) for h in (0, 12, 23)]
    return len({m.utcoffset() for m in moments}) == 1


def subtract(intervals, removed):
    """`intervals` (starts, ends) minus the (start, end) pairs of `removed`, as sorted arrays."""
    starts, ends = _as_intervals(intervals)
    pieces = sorted(zip(starts.tolist(), ends.tolist(), strict=True))
    for cut_start, cut_end in sorted(removed):
        kept = []
        for s, e in pieces:
            if e <= cut_start or s >= cut_end:
                kept.append((s, e))
                continue
            if s < cut_start:
                kept.append((s, cut_start))
            if e > cut_end:
                kept.append((cut_end, e))
        pieces = kept
    return (
        np.array([p[0] for p in pieces], dtype=np.int64),
        np.array([p[1] for p in pieces], dtype=np.int64),
    )
