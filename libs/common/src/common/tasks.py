"""Stopping background tasks reliably."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

log = logging.getLogger(__name__)


async def cancel_and_wait(tasks: Iterable[asyncio.Task[Any]], *, timeout: float = 10.0) -> None:
    """Cancel ``tasks`` and wait for them to end, cancelling again while they run.

    A library call may swallow one cancellation (``asyncio.wait_for`` does before Python
    3.12 when the awaited call completes at the same moment), so one ``cancel()`` is not
    enough to be sure a loop stops.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    pending = {t for t in tasks if not t.done()}
    while pending:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=0.5)
        if pending and loop.time() > deadline:
            log.warning("tasks did not stop", extra={"tasks": [t.get_name() for t in pending]})
            return


async def periodic(name: str, seconds: float, step: Callable[[], Awaitable[object]]) -> None:
    """Run ``step`` every ``seconds`` until cancelled; a failing step is logged and retried
    on the next tick, so that one bad row does not stop a schedule for good."""
    while True:
        try:
            await step()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("periodic task failed", extra={"task": name})
        await asyncio.sleep(seconds)
