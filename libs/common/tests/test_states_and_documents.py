"""The shared state machine's messages, and uploads checked against their media type."""

from __future__ import annotations

from enum import StrEnum

import pytest

from common.documents import check_content
from common.errors import Invalid, InvalidValue, StateConflict
from common.states import Machine


class Light(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    OFF = "off"


LIGHTS = Machine(
    "traffic light",
    Light,
    {
        Light.GREEN: frozenset({Light.AMBER, Light.OFF}),
        Light.AMBER: frozenset({Light.RED}),
        Light.RED: frozenset({Light.GREEN}),
        Light.OFF: frozenset(),
    },
)


def test_an_allowed_move_returns_the_new_state():
    assert LIGHTS.move("green", "amber") is Light.AMBER


def test_a_forbidden_move_says_where_the_thing_may_go():
    with pytest.raises(StateConflict) as raised:
        LIGHTS.move("green", "red")
    assert raised.value.slug == "invalid-transition"
    assert raised.value.detail == (
        "A traffic light that is green cannot become red: from green it may become amber, off."
    )


def test_from_a_final_state_it_says_so():
    with pytest.raises(StateConflict) as raised:
        LIGHTS.move("off", "green")
    assert raised.value.detail == "A traffic light that is off cannot become green: off is final."


def test_an_unknown_state_is_invalid_and_lists_the_known():
    with pytest.raises(InvalidValue) as raised:
        LIGHTS.move("green", "blue")
    assert raised.value.slug == "unknown-state"
    assert "green, amber, red, off" in raised.value.detail


def test_every_state_needs_its_transitions():
    with pytest.raises(ValueError, match="every lamp state"):
        Machine("lamp", Light, {Light.GREEN: frozenset()})


@pytest.mark.parametrize(
    ("media_type", "content"),
    [
        ("application/pdf", b"%PDF-1.7\n..."),
        ("image/png", b"\x89PNG\r\n\x1a\n...."),
        ("image/jpeg", b"\xff\xd8\xff\xe0...."),
        ("application/vnd.oasis.opendocument.text", b"PK\x03\x04...."),
        ("text/markdown", "# Verbale\n\nà è ì".encode()),
        ("text/plain", b"plain"),
    ],
)
def test_content_that_is_what_it_says_passes(media_type, content):
    check_content(media_type, content)


@pytest.mark.parametrize(
    ("media_type", "content"),
    [
        ("application/pdf", b"MZ\x90\x00 an executable"),
        ("image/png", b"%PDF-1.7"),
        ("image/jpeg", b"\x89PNG\r\n\x1a\n"),
        ("text/plain", b"\xff\xfe\x00binary"),
        ("text/markdown", b"text\x00with a NUL"),
    ],
)
def test_content_that_is_not_what_it_says_is_refused(media_type, content):
    with pytest.raises(Invalid) as raised:
        check_content(media_type, content)
    assert raised.value.slug == "content-mismatch"


def test_an_unsupported_type_is_refused_before_its_content_is_read():
    with pytest.raises(Invalid) as raised:
        check_content("application/x-msdownload", b"MZ")
    assert raised.value.slug == "unsupported-document-type"
