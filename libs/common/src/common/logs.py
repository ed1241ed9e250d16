"""Structured JSON logs carrying the request id and the event id they concern.

Never pass personal data to a logger: log ids, counts and states, not names or contacts.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
event_id_var: ContextVar[str | None] = ContextVar("event_id", default=None)

_RESERVED = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "color_message",
}


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if (request_id := request_id_var.get()) is not None:
            entry["request_id"] = request_id
        if (event_id := event_id_var.get()) is not None:
            entry["event_id"] = event_id
        for key in sorted(record.__dict__.keys() - _RESERVED):
            if not key.startswith("_"):
                entry[key] = record.__dict__[key]
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)

    def formatException(self, ei: Any) -> str:
        """The traceback, with the database's messages withheld: PostgreSQL quotes the
        values it refuses ("invalid input syntax for type integer: \"...\"", "Key
        (email)=(...) already exists"), and those may be personal data. The SQLSTATE and
        the statement (whose parameters are never shown) remain."""
        _, exc, _ = ei
        if exc is None:
            return super().formatException(ei)
        chain: list[BaseException] = []
        link: BaseException | None = exc
        while link is not None and link not in chain:
            chain.append(link)
            link = link.__cause__ or (None if link.__suppress_context__ else link.__context__)
        parts = []
        for link in reversed(chain):
            described = traceback.TracebackException(
                type(link), link, link.__traceback__, compact=True
            )
            if (withheld := _withheld(link)) is not None and hasattr(described, "_str"):
                described._str = withheld
            parts.append("".join(described.format(chain=False)))
        return "\nThe above exception led to the following one:\n\n".join(parts).rstrip()


def _withheld(exc: BaseException) -> str | None:
    """What is shown of a database exception instead of its message, if it is one."""
    state = getattr(exc, "sqlstate", None) or getattr(getattr(exc, "orig", None), "sqlstate", None)
    statement = getattr(exc, "statement", None)
    from_database = state is not None or type(exc).__module__.startswith(("asyncpg", "sqlalchemy"))
    if not from_database:
        return None
    shown = f"(message withheld: it may quote values) SQLSTATE {state or 'unknown'}"
    return f"{shown}\n[SQL: {statement}]" if statement else shown


def configure_logging(service: str, level: str = "INFO") -> None:
    """Send every log record, uvicorn's included, to stderr as one JSON object per line."""
    # A line holds none of the caller's file, line, thread or process: don't look them up
    # for every record (the logging HOWTO's "Optimization").
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    # Access lines are replaced by our own request log, which carries the request id.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
