"""Durable pull consumers with an inbox: each event takes effect exactly once.

For every message: decode the envelope (undecodable: dead letter and ``term``); in one
transaction, record the event id in the inbox and run the handler (an id already in the
inbox means the effect happened: just ack); commit, then ack. A failure rolls the
transaction back and ``nak``s with a growing delay; after ``max_deliver`` deliveries, or at
once for a :class:`~common.errors.PermanentEventError`, the message is kept as a dead letter
that an operator can list and replay, and ``term``ed.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol

import sqlalchemy as sa
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from pydantic import ValidationError
from sqlalchemy.dialects.postgresql import insert

from common.db.uow import UnitOfWork, UnitOfWorkFactory, transaction
from common.errors import PermanentEventError
from common.events.envelope import Event
from common.events.streams import ConsumerSpec, ensure_consumer
from common.logs import event_id_var
from common.observability import EVENTS_HANDLED
from common.tracing import traceparent_var

log = logging.getLogger(__name__)


class Handler(Protocol):
    async def __call__(self, event: Event, *, uow: UnitOfWork) -> None: ...


HandlerMap = Mapping[str, Handler]


class UndecodableEvent(PermanentEventError):
    pass


def decode(payload: bytes) -> Event:
    try:
        return Event.model_validate_json(payload)
    except ValidationError as exc:
        raise UndecodableEvent(f"not an event envelope: {exc.error_count()} error(s)") from exc


async def apply_once(
    event: Event, handler: Handler, *, uow_factory: UnitOfWorkFactory, consumer: str
) -> bool:
    """Run ``handler`` unless the inbox already holds the event. True if it took effect."""
    async with transaction(uow_factory) as uow:
        inbox = uow.tables.inbox
        claimed = await uow.session.execute(
            insert(inbox)
            .values(event_id=event.id, type=event.type, consumer=consumer)
            .on_conflict_do_nothing(index_elements=[inbox.c.event_id])
            .returning(inbox.c.event_id)
        )
        if claimed.first() is None:
            return False
        await handler(event, uow=uow)
    return True


class EventConsumer:
    def __init__(
        self,
        *,
        js: JetStreamContext,
        spec: ConsumerSpec,
        handlers: HandlerMap,
        uow_factory: UnitOfWorkFactory,
        backoff_seconds: Sequence[float] = (1.0, 5.0, 30.0, 120.0),
        batch_size: int = 20,
        fetch_timeout: float = 2.0,
        after_commit: Callable[[Event], Awaitable[None]] | None = None,
    ) -> None:
        missing = set(spec.subjects) - set(handlers)
        if missing:
            raise ValueError(f"no handler for {sorted(missing)}")
        self.js = js
        self.spec = spec
        self.handlers = handlers
        self.uow_factory = uow_factory
        self.backoff_seconds = list(backoff_seconds) or [1.0]
        self.batch_size = batch_size
        self.fetch_timeout = fetch_timeout
        self._after_commit = after_commit  # a seam for crash tests

    @property
    def service(self) -> str:
        return self.spec.consumer_service

    async def run(self) -> None:
        failures = 0
        while True:
            try:
                await ensure_consumer(self.js, self.spec)
                subscription = await self.js.pull_subscribe_bind(
                    self.spec.durable, stream=self.spec.stream
                )
                failures = 0
                while True:
                    try:
                        messages = await subscription.fetch(
                            self.batch_size, timeout=self.fetch_timeout
                        )
                    except (NatsTimeoutError, TimeoutError):
                        continue
                    for message in messages:
                        await self.handle(message)
            except asyncio.CancelledError:
                raise
            except Exception:
                failures += 1
                log.warning(
                    "consumer interrupted; retrying",
                    extra={"consumer": self.spec.durable},
                    exc_info=True,
                )
                await asyncio.sleep(min(5.0, 0.25 * 2**failures))

    def _delay(self, delivered: int) -> float:
        return self.backoff_seconds[min(delivered, len(self.backoff_seconds)) - 1]

    async def handle(self, message: Msg) -> None:
        delivered = message.metadata.num_delivered
        try:
            event = decode(message.data)
        except UndecodableEvent as exc:
            await self._dead_letter(message, None, str(exc), delivered)
            await message.term()
            EVENTS_HANDLED.labels(self.service, message.subject, "undecodable").inc()
            return
        id_token = event_id_var.set(str(event.id))
        trace_token = traceparent_var.set(event.traceparent)
        try:
            handler = self.handlers.get(event.type)
            if handler is None:
                raise PermanentEventError(f"no handler for event type {event.type}")
            took_effect = await apply_once(
                event, handler, uow_factory=self.uow_factory, consumer=self.spec.durable
            )
            if self._after_commit is not None:
                await self._after_commit(event)
            await message.ack()
            outcome = "handled" if took_effect else "duplicate"
            EVENTS_HANDLED.labels(self.service, event.type, outcome).inc()
            log.info("event %s", outcome, extra={"event_type": event.type})
        except PermanentEventError as exc:
            await self._dead_letter(message, event, f"{type(exc).__name__}: {exc}", delivered)
            await message.term()
            EVENTS_HANDLED.labels(self.service, event.type, "dead_letter").inc()
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            if delivered >= self.spec.max_deliver:
                await self._dead_letter(message, event, error, delivered)
                await message.term()
                EVENTS_HANDLED.labels(self.service, event.type, "dead_letter").inc()
            else:
                delay = self._delay(delivered)
                log.warning(
                    "event failed; will retry",
                    extra={"event_type": event.type, "delivered": delivered, "retry_in": delay},
                    exc_info=True,
                )
                await message.nak(delay=delay)
                EVENTS_HANDLED.labels(self.service, event.type, "retry").inc()
        finally:
            event_id_var.reset(id_token)
            traceparent_var.reset(trace_token)

    async def _dead_letter(
        self, message: Msg, event: Event | None, error: str, delivered: int
    ) -> None:
        log.error(
            "event dead-lettered",
            extra={"subject": message.subject, "delivered": delivered, "error": error[:500]},
        )
        async with transaction(self.uow_factory) as uow:
            values: dict[str, Any] = {
                "id": uuid.uuid4(),
                "event_id": event.id if event else None,
                "subject": message.subject,
                "stream": self.spec.stream,
                "consumer": self.spec.durable,
                "stream_sequence": message.metadata.sequence.stream,
                "payload": message.data,
                "error": error[:4000],
                "deliveries": delivered,
            }
            await uow.session.execute(sa.insert(uow.tables.dead_letters).values(**values))
