"""The JetStream streams: one per publishing service, holding ``<service>.>``.

Every service makes sure the streams it publishes to and consumes from exist, with the same
configuration, so that the services can start in any order. Provisioning is safe to repeat.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from nats.js import JetStreamContext
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DeliverPolicy,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)
from nats.js.errors import NotFoundError

log = logging.getLogger(__name__)

SERVICES = ("sortition", "membership", "deliberation", "responses")
DUPLICATE_WINDOW_SECONDS = 120.0
MAX_AGE_SECONDS = 90 * 24 * 3600.0


def stream_name(service: str) -> str:
    return service.upper()


def stream_config(service: str) -> StreamConfig:
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}")
    return StreamConfig(
        name=stream_name(service),
        subjects=[f"{service}.>"],
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        duplicate_window=DUPLICATE_WINDOW_SECONDS,
        max_age=MAX_AGE_SECONDS,
        description=f"Events published by the {service} service",
    )


async def ensure_stream(js: JetStreamContext, service: str) -> None:
    config = stream_config(service)
    try:
        info = await js.stream_info(config.name or "")
    except NotFoundError:
        try:
            await js.add_stream(config)
            log.info("stream created", extra={"stream": config.name})
            return
        except Exception:
            # Another service created it at the same moment: fall through and compare.
            info = await js.stream_info(config.name or "")
    current = info.config
    if (
        current.subjects != config.subjects
        or current.duplicate_window != config.duplicate_window
        or current.max_age != config.max_age
    ):
        await js.update_stream(config)
        log.info("stream updated", extra={"stream": config.name})


@dataclass(frozen=True)
class ConsumerSpec:
    """A durable pull consumer of one service on another service's stream."""

    consumer_service: str
    producer_service: str
    subjects: tuple[str, ...]
    max_deliver: int = 5
    ack_wait_seconds: float = 30.0

    @property
    def stream(self) -> str:
        return stream_name(self.producer_service)

    @property
    def durable(self) -> str:
        return f"{self.consumer_service}-from-{self.producer_service}"

    def config(self) -> ConsumerConfig:
        return ConsumerConfig(
            durable_name=self.durable,
            description=f"{self.consumer_service} consumes {', '.join(self.subjects)}",
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            filter_subjects=list(self.subjects),
            max_deliver=self.max_deliver,
            ack_wait=self.ack_wait_seconds,
            max_ack_pending=1000,
        )


async def ensure_consumer(js: JetStreamContext, spec: ConsumerSpec) -> None:
    await ensure_stream(js, spec.producer_service)
    config = spec.config()
    try:
        info = await js.consumer_info(spec.stream, spec.durable)
    except NotFoundError:
        await js.add_consumer(spec.stream, config)
        log.info("consumer created", extra={"stream": spec.stream, "consumer": spec.durable})
        return
    current = info.config
    if (
        _filters(current) != set(config.filter_subjects or [])
        or current.max_deliver != config.max_deliver
        or current.ack_wait != config.ack_wait
    ):
        await js.add_consumer(spec.stream, config)  # same durable name: updates it
        log.info("consumer updated", extra={"stream": spec.stream, "consumer": spec.durable})


def _filters(config: ConsumerConfig) -> set[str]:
    found = set(config.filter_subjects or [])
    if config.filter_subject:
        found.add(config.filter_subject)
    return found
