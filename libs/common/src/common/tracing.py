"""W3C trace context: a ``traceparent`` follows a request into the events it causes."""

from __future__ import annotations

import re
import secrets
from contextvars import ContextVar

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
traceparent_var: ContextVar[str | None] = ContextVar("traceparent", default=None)


def parse_or_start(header: str | None) -> str:
    """Continue the caller's trace with a new span id, or start a new trace."""
    if header and (match := _TRACEPARENT.match(header.strip().lower())):
        trace_id, flags = match.group(1), match.group(3)
        if trace_id != "0" * 32:
            return f"00-{trace_id}-{secrets.token_hex(8)}-{flags}"
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


def current_traceparent() -> str | None:
    return traceparent_var.get()
