"""The event catalogue (deploy/asyncapi.yaml) says what the code emits and consumes."""

from __future__ import annotations

import uuid

import pytest
import yaml

from common.contracts import REGISTRY
from common.contracts.sortition import PanelSelected
from common.errors import PermanentEventError
from common.events.envelope import Event
from devstack.catalogue import PATH, consumers, render


def test_the_committed_catalogue_is_what_the_contracts_generate():
    assert PATH.read_text() == render(), "run `python -m devstack asyncapi` and commit it"


def test_every_subject_emitted_or_consumed_is_in_it_with_its_schema():
    # Building every app imports every module, so every contract any service can emit is
    # registered (emit takes nothing but a contract: mypy holds the producers to it).
    subscribed = consumers()
    document = yaml.safe_load(PATH.read_text())
    channels, messages = document["channels"], document["components"]["messages"]
    schemas = document["components"]["schemas"]
    emitted = set(REGISTRY)
    consumed = {t for types in subscribed.values() for t in types}
    assert consumed <= emitted, consumed - emitted
    assert {"sortition.panel.selected.v1", "membership.respondent.registered.v1"} <= emitted
    for event_type, contract in REGISTRY.items():
        (name,) = channels[event_type]["messages"]
        payload = messages[name]["payload"]
        assert payload["properties"]["type"] == {"const": event_type}
        schema = schemas[contract.__name__]
        assert set(schema["properties"]) == set(contract.model_fields)
    operations = document["operations"]
    for service, types in subscribed.items():
        for event_type in types:
            assert operations[f"{service}.receives.{event_type}"]["action"] == "receive"


def test_a_contract_parses_what_its_producer_emits_and_refuses_what_it_cannot_be():
    sent = PanelSelected(round_id=uuid.uuid4(), panel=["a", "b"], reserves=["c"])
    wire = Event(source="/sortition", type=PanelSelected.TYPE, data=sent.model_dump(mode="json"))
    assert PanelSelected.parse(Event.model_validate_json(wire.model_dump_json())) == sent
    newer = wire.model_copy(update={"data": {**wire.data, "added_later": 1}})
    assert PanelSelected.parse(newer) == sent  # a field added by the producer is ignored
    broken = wire.model_copy(update={"data": {"panel": "not a list"}})
    with pytest.raises(PermanentEventError, match=r"invalid sortition\.panel\.selected\.v1"):
        PanelSelected.parse(broken)
