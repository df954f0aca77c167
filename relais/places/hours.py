"""A place's opening hours as people read them: a weekly table, "open now", the next holiday closure.

Plain functions, no HTTP: the place page, the printable sheet and the schema.org data share them.
The hours are always read in the place's own local time (`Place.timezone`): Réunion's Monday
morning is Réunion's, whatever the server's clock says. Day boundaries and comparisons go through UTC so
that the days of a clock change (23 or 25 hours long) come out right.
"""

import datetime
import functools
import re
from dataclasses import dataclass, field

import holidays
import opening_hours
from django.utils import formats, translation
from django.utils.translation import gettext as _

from relais.territory.timezones import PARIS, local_time, timezone_of

# How far ahead the next public-holiday closure is looked for.
HOLIDAY_HORIZON_DAYS = 90
# Public holidays of a département beyond the national ones (the `holidays` package's subdivisions):
# Alsace-Moselle and the overseas départements.
HOLIDAY_SUBDIVISIONS = {
    "57": "57",
    "67": "6AE",
    "68": "6AE",
    "971": "971",
    "972": "972",
    "973": "973",
    "974": "974",
    "976": "976",
    "975": "PM",
    "977": "BL",
    "978": "MF",
}
SCHEMA_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
OPEN = opening_hours.State.OPEN
UNKNOWN = opening_hours.State.UNKNOWN

# What the hours say about a moment or a day. On a public holiday that the hours do not mention (no `PH`
# rule), the parser would apply the ordinary weekday: the honest answer is "not stated", never "open".
STATE_OPEN, STATE_CLOSED, STATE_NOT_STATED = "open", "closed", "not_stated"
PH_RULE = re.compile(r"\bPH\b")
PH_OFF = re.compile(r"\bPH\s+(off|closed)\b", re.IGNORECASE)


# --- Reading an expression -------------------------------------------------------------------------


@functools.lru_cache(maxsize=20000)
def parsed_hours(expression, tz=PARIS):
    """Parsed opening hours in the place's local time with French public holidays (None if invalid)."""
    try:
        return opening_hours.OpeningHours(expression, timezone=tz, country="FR")
    except (opening_hours.ParserError, SyntaxError, ValueError):
        return None


def is_open(expression, at=None, tz=PARIS):
    """True/False when the hours say so; None when unknown (no hours, or an invalid expression).

    The hours are read in the place's local time `tz` (see `timezone_of`).
    """
    if not expression:
        return None
    oh = parsed_hours(expression, tz)
    if oh is None:
        return None
    return bool(oh.is_open(local_time(at, tz)))


def next_change(expression, at=None, tz=PARIS):
    oh = parsed_hours(expression, tz) if expression else None
    if oh is None:
        return None
    return oh.next_change(local_time(at, tz))


def is_open_on(expression, day, tz=PARIS):
    """True when the hours open the place at some time on `day` (a date, in the place's local time); None
    when unknown."""
    if not expression:
        return None
    oh = parsed_hours(expression, tz)
    if oh is None:
        return None
    start = local_time(datetime.datetime.combine(day, datetime.time()), tz)
    end = local_time(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()), tz)
    return any(state == opening_hours.State.OPEN for _, _, state, _ in oh.intervals(start, end))


# --- Public holidays ------------------------------------------------------------------------------


def states_holidays(expression):
    """True when the hours say what happens on public holidays: a `PH` rule, or open 24/7."""
    if not expression:
        return False
    return bool(PH_RULE.search(expression)) or expression.strip() == "24/7"


@functools.lru_cache(maxsize=512)
def _holiday_dates(department_code, year):
    """(all public holidays, national ones) of a département's year, as frozensets of dates."""
    local = holidays.France(subdiv=HOLIDAY_SUBDIVISIONS.get(department_code), years=[year])
    national = holidays.France(years=[year])
    return frozenset(local), frozenset(national)


def holiday_kind(day, department_code):
    """ "national", "local" (Alsace-Moselle, overseas: the parser does not know them) or "" (no holiday)."""
    local, national = _holiday_dates(department_code, day.year)
    if day in national:
        return "national"
    return "local" if day in local else ""


def _holiday_state(expression, day, department_code, opens):
    """The state of a holiday `day` given what the parser says (`opens`), or None when not a holiday."""
    kind = holiday_kind(day, department_code)
    if not kind or not opens:
        return None
    if not states_holidays(expression):
        return STATE_NOT_STATED
    if kind == "local":  # the parser applied the ordinary weekday: only « PH off » can be read
        return STATE_CLOSED if PH_OFF.search(expression) else STATE_NOT_STATED
    return STATE_OPEN


def state_at(expression, department_code, at=None):
    """STATE_OPEN / STATE_CLOSED / STATE_NOT_STATED (a public holiday the hours do not mention) at a
    moment, in the département's local time; None when unknown (no hours, or an invalid expression)."""
    tz = timezone_of(department_code)
    opens = is_open(expression, at, tz)
    if opens is None:
        return None
    holiday = _holiday_state(expression, local_time(at, tz).date(), department_code, opens)
    return holiday or (STATE_OPEN if opens else STATE_CLOSED)


def state_on(expression, department_code, day):
    """STATE_OPEN when the place opens at some time on `day` (a local date), STATE_CLOSED, or
    STATE_NOT_STATED on a public holiday the hours do not mention; None when unknown."""
    opens = is_open_on(expression, day, timezone_of(department_code))
    if opens is None:
        return None
    holiday = _holiday_state(expression, day, department_code, opens)
    return holiday or (STATE_OPEN if opens else STATE_CLOSED)


def place_is_open(place, at=None):
    return is_open(place.opening_hours, at, place.timezone)


def place_next_change(place, at=None):
    return next_change(place.opening_hours, at, place.timezone)


# --- Formatting -----------------------------------------------------------------------------------


def _is_french():
    return (translation.get_language() or "fr").startswith("fr")


def format_time(value):
    """9 h 00, 14 h 30; None (the end of the day) is 24 h 00."""
    if value is None:
        return _("%(hour)d h %(minute)02d") % {"hour": 24, "minute": 0}
    return _("%(hour)d h %(minute)02d") % {"hour": value.hour, "minute": value.minute}


def long_date(day, with_year=True):
    """A long date: « jeudi 1er janvier 2026 » in French, the active language's long date otherwise."""
    text = formats.date_format(day, "l j F Y" if with_year else "l j F")
    if _is_french() and day.day == 1:
        text = text.replace(" 1 ", " 1er ", 1)
    return text


@dataclass(frozen=True)
class Slot:
    """A stretch of one day during which the place is open (or may be: `unknown`)."""

    start: datetime.time
    end: datetime.time | None  # None: until the end of the day (midnight)
    unknown: bool = False
    comment: str = ""

    @property
    def text(self):
        text = f"{format_time(self.start)} – {format_time(self.end)}"
        if self.unknown:
            text = _("%(slot)s (à confirmer)") % {"slot": text}
        if self.comment:
            text = f"{text} ({self.comment})"
        return text

    @property
    def whole_day(self):
        return self.start == datetime.time(0) and self.end is None

    @property
    def schema_opens(self):
        return self.start.strftime("%H:%M")

    @property
    def schema_closes(self):
        return "23:59" if self.end is None else self.end.strftime("%H:%M")


@dataclass
class Day:
    """One row of the weekly table: a date, its opening slots, the public holiday it is if it is one."""

    date: datetime.date
    slots: list = field(default_factory=list)
    holiday: str = ""
    is_today: bool = False
    holiday_not_stated: bool = False  # a public holiday the hours do not mention: `slots` are a weekday's

    @property
    def weekday(self):
        return formats.date_format(self.date, "l")

    @property
    def schema_day(self):
        return SCHEMA_DAYS[self.date.weekday()]

    @property
    def is_open(self):
        return not self.holiday_not_stated and any(not s.unknown for s in self.slots)

    @property
    def ordinary_text(self):
        if not self.slots:
            return _("Fermé")
        if len(self.slots) == 1 and self.slots[0].whole_day and not self.slots[0].unknown:
            return _("Ouvert 24 h sur 24")
        return ", ".join(s.text for s in self.slots)

    @property
    def text(self):
        if self.holiday_not_stated:
            return _("Horaires des jours fériés non précisés (un jour ordinaire : %(hours)s)") % {
                "hours": self.ordinary_text
            }
        return self.ordinary_text


@dataclass(frozen=True)
class Closure:
    """A public holiday on which the place, normally open that weekday, is closed."""

    date: datetime.date
    holiday: str

    @property
    def text(self):
        return _("Fermé le %(date)s (%(holiday)s, jour férié)") % {
            "date": long_date(self.date),
            "holiday": self.holiday,
        }


@dataclass
class PlaceHours:
    """What a place page says about the hours."""

    expression: str
    valid: bool
    days: list  # Day, Monday to Sunday, each the next such day from today (today included)
    regular_days: list  # the same, with public holidays replaced by an ordinary week's day
    open_now: bool | None  # None when the hours say "unknown" right now
    next_change: datetime.datetime | None
    closure: Closure | None
    now: datetime.datetime
    holidays_stated: bool = True  # the hours say what happens on public holidays (see `states_holidays`)
    now_state: str | None = None  # STATE_OPEN, STATE_CLOSED, STATE_NOT_STATED or None (see `state_at`)

    @property
    def today_holiday(self):
        return next((d.holiday for d in self.days if d.is_today and d.holiday), "")

    @property
    def status_text(self):
        """« Ouvert en ce moment — ferme à 12 h 00 », « Fermé en ce moment — ouvre lundi à 9 h 00 »."""
        if self.now_state == STATE_NOT_STATED:
            return _("Aujourd'hui, %(holiday)s, jour férié : horaires des jours fériés non précisés") % {
                "holiday": self.today_holiday
            }
        if self.open_now is None:
            return ""
        head = _("Ouvert en ce moment") if self.open_now else _("Fermé en ce moment")
        change = self.next_change
        if change is None:
            return head
        when = format_time(change.time())
        if change.date() != self.now.date():
            days = (change.date() - self.now.date()).days
            if days == 1:
                when = _("demain à %(time)s") % {"time": when}
            else:
                when = _("%(date)s à %(time)s") % {
                    "date": long_date(change.date(), with_year=days > 300),
                    "time": when,
                }
        else:
            when = _("à %(time)s") % {"time": when}
        if self.open_now:
            return _("%(head)s — ferme %(when)s") % {"head": head, "when": when}
        return _("%(head)s — ouvre %(when)s") % {"head": head, "when": when}


def _utc(value):
    return value.astimezone(datetime.UTC)


def _day_start(day, tz):
    """Midnight at the start of `day` in `tz`, as an aware datetime (through UTC: no skipped time)."""
    return local_time(datetime.datetime.combine(day, datetime.time(0)), tz)


def day_slots(oh, day, tz):
    """The open (and maybe-open) slots of one local date, clipped to that date."""
    start, end = _day_start(day, tz), _day_start(day + datetime.timedelta(days=1), tz)
    slots = []
    for begin, finish, state, comment in oh.intervals(start, end):
        if state not in (OPEN, UNKNOWN):
            continue
        begin_utc, finish_utc = max(_utc(begin), _utc(start)), min(_utc(finish), _utc(end))
        if begin_utc >= finish_utc:
            continue
        local_begin = begin_utc.astimezone(tz)
        slots.append(
            Slot(
                start=local_begin.time().replace(second=0, microsecond=0),
                end=None if finish_utc >= _utc(end) else finish_utc.astimezone(tz).time(),
                unknown=state == UNKNOWN,
                comment=(comment or "").strip(),
            )
        )
    return slots


def holiday_calendar(department_code, years):
    """{date: name} of the public holidays of a département (names in the active language)."""
    language = "fr" if _is_french() else "en_US"
    return holidays.France(
        subdiv=HOLIDAY_SUBDIVISIONS.get(department_code), years=sorted(set(years)), language=language
    )


def _parsed(expression, tz):
    return parsed_hours(expression, tz) if expression else None


def week_days(oh, tz, today, calendar, expression="", department_code=None):
    """The next seven days (today first), as `Day`s ordered Monday to Sunday.

    With `expression`, a public holiday the hours do not mention is marked `holiday_not_stated`, and one
    the parser does not know (Alsace-Moselle, overseas) is closed under « PH off »."""
    days = []
    for offset in range(7):
        day = today + datetime.timedelta(days=offset)
        slots = day_slots(oh, day, tz)
        state = _holiday_state(expression, day, department_code, any(not s.unknown for s in slots))
        if expression and state == STATE_CLOSED:
            slots = []
        days.append(
            Day(
                date=day,
                slots=slots,
                holiday=calendar.get(day, ""),
                is_today=offset == 0,
                holiday_not_stated=bool(expression) and state == STATE_NOT_STATED,
            )
        )
    return sorted(days, key=lambda d: d.date.weekday())


def _ordinary_same_weekday(day, calendar):
    """The nearest same weekday (after first, then before) that is not a public holiday."""
    for weeks in (1, -1, 2, -2, 3):
        other = day + datetime.timedelta(weeks=weeks)
        if other not in calendar:
            return other
    return None


def regular_week(oh, tz, days, calendar):
    """`days` with each public holiday replaced by the nearest ordinary same weekday (what a week is)."""
    regular = []
    for day in days:
        if day.holiday:
            other = _ordinary_same_weekday(day.date, calendar)
            if other is not None:
                day = Day(date=other, slots=day_slots(oh, other, tz))
        regular.append(day)
    return regular


def next_holiday_closure(oh, tz, today, calendar, horizon=HOLIDAY_HORIZON_DAYS):
    """The first public holiday within `horizon` days on which the place is closed but normally open."""
    last = today + datetime.timedelta(days=horizon)
    for day in sorted(d for d in calendar if today <= d <= last):
        if any(not s.unknown for s in day_slots(oh, day, tz)):
            continue
        other = _ordinary_same_weekday(day, calendar)
        if other is not None and any(not s.unknown for s in day_slots(oh, other, tz)):
            return Closure(date=day, holiday=calendar[day])
    return None


def hours_of(expression, department_code, at=None):
    """Everything the page says about hours given as an OSM expression, in the département's local time.

    Returns None when there are no hours; `valid` is False when the expression cannot be read.
    """
    if not expression:
        return None
    tz = timezone_of(department_code)
    now = local_time(at, tz)
    oh = _parsed(expression, tz)
    if oh is None:
        return PlaceHours(expression, False, [], [], None, None, None, now)
    today = now.date()
    last = today + datetime.timedelta(days=HOLIDAY_HORIZON_DAYS + 21)
    calendar = holiday_calendar(department_code, range(today.year - 1, last.year + 1))
    days = week_days(oh, tz, today, calendar, expression, department_code)
    return PlaceHours(
        expression=expression,
        valid=True,
        days=days,
        regular_days=regular_week(oh, tz, days, calendar),
        open_now=None if oh.is_unknown(now) else bool(oh.is_open(now)),
        next_change=oh.next_change(now),
        closure=next_holiday_closure(oh, tz, today, calendar),
        now=now,
        holidays_stated=states_holidays(expression),
        now_state=state_at(expression, department_code, now),
    )


def place_hours(place, at=None):
    return hours_of(place.opening_hours, place.commune.department_id, at)


def opening_hours_specification(place_hours_):
    """schema.org OpeningHoursSpecification items of an ordinary week (plus the next holiday closure)."""
    if place_hours_ is None or not place_hours_.valid:
        return []
    specs = []
    for day in place_hours_.regular_days:
        for slot in day.slots:
            if slot.unknown:
                continue
            specs.append(
                {
                    "@type": "OpeningHoursSpecification",
                    "dayOfWeek": f"https://schema.org/{day.schema_day}",
                    "opens": slot.schema_opens,
                    "closes": slot.schema_closes,
                }
            )
    return specs


def special_opening_hours(place_hours_):
    """The next holiday closure as a schema.org special opening hours item (closed all day)."""
    if place_hours_ is None or place_hours_.closure is None:
        return []
    day = place_hours_.closure.date.isoformat()
    return [
        {
            "@type": "OpeningHoursSpecification",
            "opens": "00:00",
            "closes": "00:00",
            "validFrom": day,
            "validThrough": day,
        }
    ]
