"""Domain operations on resources and bookings, shared by the pages, the API and the commands.

Plain functions taking an `Actor` and plain arguments, returning model instances and raising
`DomainError` (one rule broken, named by `field` and `code`) with a French message. Each runs in one
transaction. Writes that can compete for the same seats lock the resource row first (`select_for_update`
on PostgreSQL; on SQLite the write transaction itself is taken at BEGIN, see settings), then count, then
insert: no double booking, even under concurrency.

Times are stored in UTC and read in the place's local time (`Place.timezone`): hours, granularity and
weekly series follow the wall clock of the place, across clock changes.

One module per concern, the operations re-exported here (`services.book(...)`):
- `hours`: bookable and opening hours, public holidays, closures;
- `availability`: free capacity of the slots of a resource or a place;
- `rules`: who books online (`refusal`), every rule of a booking, the capacity left;
- `pricing`: the price of a booking;
- `access`: who acts, whether they are the place's team, whom a booking is for;
- `records`: serialised transactions, audit snapshots, status transitions;
- `bookings`: booking, changing, cancelling, checking in, noting an absence;
- `series`: weekly series; `waitlist`: the waiting list.
"""

from relais.core.errors import DomainError

from .access import is_place_staff
from .availability import ResourceAvailability, availability
from .bookings import (
    CHECK_IN_OPENS_MINUTES,
    SeriesCancellation,
    book,
    cancel,
    cancel_series,
    change,
    check_in,
    mark_no_show,
    undo_check_in,
)
from .hours import describe_day, hours_intervals, local_only_holidays, open_layers
from .pricing import quote
from .records import locked_resource, snapshot
from .rules import (
    LOAN_KINDS,
    WALK_IN_MINUTES,
    Request,
    check_policy,
    check_rules,
    refusal,
    too_late_to_cancel_online,
)
from .series import (
    MAX_SERIES_OCCURRENCES,
    Conflict,
    SeriesConflict,
    SeriesResult,
    book_series,
    occurrences,
)
from .waitlist import join_waitlist, leave_waitlist, offer_freed_slot

# The names `exports.py` and `benchmarks/spaces.py` use for these.
_open_layers = open_layers
_locked_resource = locked_resource

__all__ = [
    "CHECK_IN_OPENS_MINUTES",
    "LOAN_KINDS",
    "WALK_IN_MINUTES",
    "MAX_SERIES_OCCURRENCES",
    "Conflict",
    "DomainError",
    "Request",
    "ResourceAvailability",
    "SeriesCancellation",
    "SeriesConflict",
    "SeriesResult",
    "availability",
    "book",
    "book_series",
    "cancel",
    "cancel_series",
    "change",
    "check_in",
    "check_policy",
    "check_rules",
    "describe_day",
    "hours_intervals",
    "is_place_staff",
    "join_waitlist",
    "leave_waitlist",
    "local_only_holidays",
    "locked_resource",
    "mark_no_show",
    "undo_check_in",
    "occurrences",
    "offer_freed_slot",
    "open_layers",
    "quote",
    "refusal",
    "snapshot",
    "too_late_to_cancel_online",
]
