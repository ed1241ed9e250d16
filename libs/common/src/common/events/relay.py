"""The outbox relay: publishes committed events to JetStream, at least once, in order.

Woken by ``LISTEN/NOTIFY`` when a unit of work commits events, and by a polling timer in
case a notification is missed (a dropped connection, a relay that started late). Rows are
claimed with ``FOR UPDATE SKIP LOCKED`` so several relays can run side by side; a row is
marked published only after JetStream's PubAck. ``Nats-Msg-Id`` is the event id, so a
publish repeated after a crash is dropped by JetStream's duplicate window, and any later
repeat by the consumers' inbox.

A pass runs on the relay's own connection, not one borrowed from the service's pool: under
load the requests hold the pool, and a pass that queues behind them for a connection holds
every event committed meanwhile (the tail of the hop from commit to consumer).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

import asyncpg
import sqlalchemy as sa
from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from common.db.platform_tables import PlatformTables
from common.logs import event_id_var
from common.observability import OUTBOX_PUBLISH_ERRORS, OUTBOX_PUBLISHED
from common.tasks import cancel_and_wait

log = logging.getLogger(__name__)


class OutboxRelay:
    def __init__(
        self,
        *,
        engine: AsyncEngine,
        tables: PlatformTables,
        js: JetStreamContext,
        listen_dsn: str,
        poll_seconds: float = 2.0,
        batch_size: int = 100,
        publish_timeout: float = 5.0,
    ) -> None:
        # One connection for the passes (they run one at a time), with the service's URL.
        self.engine = create_async_engine(
            engine.url,
            pool_size=1,
            max_overflow=0,
            hide_parameters=True,
            connect_args={"timeout": 3.0},
        )
        self.tables = tables
        self.js = js
        self.listen_dsn = listen_dsn
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size
        self.publish_timeout = publish_timeout
        self._wake = asyncio.Event()

    async def run(self) -> None:
        listener = asyncio.create_task(self._listen(), name="outbox-listen")
        try:
            failures = 0
            while True:
                self._wake.clear()
                try:
                    published, complete = await self.publish_pending()
                    failures = 0
                except asyncio.CancelledError:
                    raise
                except Exception:
                    failures += 1
                    log.warning("outbox relay pass failed", exc_info=True)
                    await asyncio.sleep(min(5.0, 0.25 * 2**failures))
                    continue
                if published and not complete:
                    continue  # more rows are waiting
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.poll_seconds):
                        await self._wake.wait()
        finally:
            await cancel_and_wait([listener])
            await self.engine.dispose()

    async def _listen(self) -> None:
        """Hold a LISTEN connection, reconnecting when it drops. The poll covers the gaps."""
        while True:
            connection: Any = None
            try:
                connection = await asyncpg.connect(self.listen_dsn)
                await connection.add_listener(
                    self.tables.notify_channel, lambda *_: self._wake.set()
                )
                self._wake.set()  # catch up on whatever was committed before we listened
                while not connection.is_closed():  # noqa: ASYNC110 - asyncpg has no close event
                    await asyncio.sleep(self.poll_seconds)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.info("outbox listener lost its connection; polling meanwhile")
                await asyncio.sleep(self.poll_seconds)
            finally:
                if connection is not None and not connection.is_closed():
                    with contextlib.suppress(Exception):
                        await asyncio.shield(connection.close(timeout=2))

    async def publish_pending(self) -> tuple[int, bool]:
        """Publish one batch. Returns how many were published and whether all were."""
        outbox = self.tables.outbox
        published: list[int] = []
        error: str | None = None
        async with self.engine.connect() as connection, connection.begin():
            rows = (
                await connection.execute(
                    sa.select(outbox.c.seq, outbox.c.id, outbox.c.type, outbox.c.envelope)
                    .where(outbox.c.published_at.is_(None))
                    .order_by(outbox.c.seq)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for row in rows:
                token = event_id_var.set(str(row.id))
                try:
                    await self.js.publish(
                        row.type,
                        json.dumps(row.envelope, separators=(",", ":")).encode(),
                        headers={"Nats-Msg-Id": str(row.id)},
                        timeout=self.publish_timeout,
                    )
                except Exception as exc:
                    # Stop at the first failure so that events leave in commit order.
                    error = f"{type(exc).__name__}: {exc}"
                    OUTBOX_PUBLISH_ERRORS.labels(self.tables.schema).inc()
                    log.warning("event not published yet", extra={"event_type": row.type})
                    break
                finally:
                    event_id_var.reset(token)
                published.append(row.seq)
            if published:
                await connection.execute(
                    sa.update(outbox)
                    .where(outbox.c.seq.in_(published))
                    .values(published_at=sa.func.now(), attempts=outbox.c.attempts + 1)
                )
                OUTBOX_PUBLISHED.labels(self.tables.schema).inc(len(published))
            if error is not None:
                failed = rows[len(published)]
                await connection.execute(
                    sa.update(outbox)
                    .where(outbox.c.seq == failed.seq)
                    .values(attempts=outbox.c.attempts + 1, last_error=error[:2000])
                )
        if error is not None:
            raise RuntimeError(error)
        return len(published), len(rows) < self.batch_size
