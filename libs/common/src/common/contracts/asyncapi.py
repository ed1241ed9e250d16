"""The event catalogue as an AsyncAPI 3 document, generated from the contracts.

Every message is a CloudEvents 1.0 envelope whose ``data`` is the contract's payload; the
NATS subject is the event type. ``send`` operations come from the contracts (their
producer), ``receive`` operations from the services' subscriptions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from common.events.contracts import REGISTRY, Contract

REF = "#/components/schemas/{model}"


def _schema(contract: type[Contract], schemas: dict[str, Any]) -> dict[str, Any]:
    """The contract's JSON schema, its nested models moved to the shared components."""
    schema = contract.model_json_schema(ref_template=REF, mode="serialization")
    for name, nested in schema.pop("$defs", {}).items():
        schemas.setdefault(name, nested)
    schemas[contract.__name__] = schema
    return {"$ref": REF.format(model=contract.__name__)}


def _envelope(contract: type[Contract], data: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["specversion", "id", "source", "type", "time", "data"],
        "properties": {
            "specversion": {"const": "1.0"},
            "id": {"type": "string", "format": "uuid"},
            "source": {"const": f"/{contract.producer()}"},
            "type": {"const": contract.TYPE},
            "subject": {"type": ["string", "null"], "examples": ["round/…", "member/…"]},
            "time": {"type": "string", "format": "date-time"},
            "datacontenttype": {"const": "application/json"},
            "traceparent": {"type": ["string", "null"], "description": "W3C trace context."},
            "data": data,
        },
    }


def document(
    consumers: Mapping[str, Iterable[str]],
    contracts: Iterable[type[Contract]] | None = None,
    *,
    version: str = "1.0.0",
) -> dict[str, Any]:
    """``consumers``: per consuming service, the event types it subscribes to."""
    chosen = sorted(contracts or REGISTRY.values(), key=lambda c: c.TYPE)
    schemas: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for contract in chosen:
        name = contract.__name__
        channel = contract.TYPE
        messages[name] = {
            "name": name,
            "title": contract.TYPE,
            "summary": (contract.__doc__ or "").strip().split("\n\n")[0].replace("\n", " "),
            "contentType": "application/cloudevents+json",
            "payload": _envelope(contract, _schema(contract, schemas)),
        }
        channels[channel] = {
            "address": channel,
            "messages": {name: {"$ref": f"#/components/messages/{name}"}},
        }
        operations[f"{contract.producer()}.sends.{channel}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel}"},
            "summary": f"Published by {contract.producer()} from its outbox.",
        }
    for service, types in sorted(consumers.items()):
        for event_type in sorted(types):
            if event_type not in channels:
                raise ValueError(f"{service} consumes {event_type}, which has no contract")
            operations[f"{service}.receives.{event_type}"] = {
                "action": "receive",
                "channel": {"$ref": f"#/channels/{event_type}"},
                "summary": f"Consumed by {service} (durable consumer, inbox: once).",
            }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Assemblea Permanente dei Cittadini sul Clima — events",
            "version": version,
            "description": (
                "Events between the four services, over NATS JetStream (one stream per "
                "producer). Each message is a CloudEvents 1.0 envelope, its `data` the "
                "contract's payload. Consumers ignore fields they do not know; a changed "
                "or removed field is a new version of the type."
            ),
        },
        "defaultContentType": "application/cloudevents+json",
        "servers": {
            "local": {"host": "127.0.0.1:4222", "protocol": "nats", "description": "JetStream"}
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": dict(sorted(schemas.items()))},
    }
