"""Dates as clients write them: ISO 8601 calendar dates (``2027-01-31``) and nothing else.

Pydantic reads a number as seconds since 1970, so ``?on=0`` was 1970-01-01; an ``IsoDate``
refuses it (and ``20270131``, ``1e9``) with a 422 naming the field.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

#: The assembly's dates (terms, deadlines, a letter's validity) are Milan's.
MILAN = ZoneInfo("Europe/Rome")


def milan_today() -> date:
    return datetime.now(MILAN).date()


def milan_day(at: datetime) -> date:
    """The day an instant falls on in Milan (who sits, when a proposal was adopted)."""
    return at.astimezone(MILAN).date()


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(value: Any) -> Any:
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.match(value)):
        return value
    raise ValueError("a date is written YYYY-MM-DD")


IsoDate = Annotated[
    date,
    BeforeValidator(_iso_date),
    WithJsonSchema({"type": "string", "format": "date", "examples": ["2027-01-31"]}),
]


def _within_calendar(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("a time carries its offset (…+01:00)")
    if not 2000 <= value.year <= 2100:
        raise ValueError("a time between the years 2000 and 2100")
    return value


#: A moment a client writes for the assembly's calendar: with its offset, between 2000 and
#: 2100 (year 1 at +23:59 is not a time PostgreSQL can store, and no session is held then).
Moment = Annotated[datetime, AfterValidator(_within_calendar)]
