"""Pages of the spaces app, by audience: `public` (the places and their availability, for everyone),
`member` (booking, one's bookings and calendar, for a person with an account), `team` (the day's bookings
of a place, check-in, absences, for its team). `common` holds what they share."""

from .member import book, cancel, change, leave_waitlist, my_bookings, my_calendar
from .public import availability, index
from .team import check_in, no_show, place_bookings, undo_check_in

__all__ = [
    "availability",
    "book",
    "cancel",
    "change",
    "check_in",
    "index",
    "leave_waitlist",
    "my_bookings",
    "my_calendar",
    "no_show",
    "place_bookings",
    "undo_check_in",
]
