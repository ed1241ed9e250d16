"""The event envelope every service publishes and consumes (CloudEvents 1.0 + traceparent)."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from common.events.envelope import Event


def test_envelope_carries_the_cloudevents_attributes():
    event = Event(source="/membership", type="membership.member.declined.v1", subject="member/1")
    wire = json.loads(event.model_dump_json())
    assert set(wire) == {
        "id",
        "source",
        "type",
        "specversion",
        "time",
        "subject",
        "datacontenttype",
        "data",
        "traceparent",
    }
    assert wire["specversion"] == "1.0"
    assert wire["datacontenttype"] == "application/json"
    assert Event.model_validate_json(event.model_dump_json()) == event


@pytest.mark.parametrize(
    "bad_type",
    ["membership.member.declined", "Membership.member.declined.v1", "a.b.c.v0", "a.b.v1"],
)
def test_type_must_be_a_versioned_subject(bad_type):
    with pytest.raises(ValidationError):
        Event(source="/membership", type=bad_type)


def test_unknown_attributes_are_refused():
    with pytest.raises(ValidationError):
        Event.model_validate({"source": "/x", "type": "a.b.c.v1", "specversion": "1.0", "extra": 1})
