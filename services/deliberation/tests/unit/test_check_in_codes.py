"""A member's check-in code: sealed for one session, for twelve hours, and opaque."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from common.crypto import open_scoped, seal_scoped
from common.errors import Forbidden
from deliberation.service.sessions import CODE_LIFETIME, check_in_code, read_check_in_code

SECRET = b"check-in secret for tests"
SESSION = uuid.UUID("0b7c1f3e-2a4d-4e5f-8a9b-0c1d2e3f4a5b")
NOW = datetime(2027, 3, 14, 8, 30, tzinfo=UTC)


def test_a_code_opens_for_its_session_and_member():
    code = check_in_code(SECRET, SESSION, "m-7f3a9c", now=NOW)
    assert read_check_in_code(SECRET, SESSION, code, now=NOW + timedelta(hours=1)) == "m-7f3a9c"


def test_a_code_shows_nothing_of_the_member():
    code = check_in_code(SECRET, SESSION, "m-7f3a9c", now=NOW)
    raw = base64.urlsafe_b64decode(code + "=" * (-len(code) % 4))
    assert b"m-7f3a9c" not in raw
    assert "m-7f3a9c" not in code


@pytest.mark.parametrize(
    ("session", "secret", "after"),
    [
        (uuid.uuid4(), SECRET, timedelta(minutes=1)),  # another session's
        (SESSION, b"another secret", timedelta(minutes=1)),  # forged
        (SESSION, SECRET, CODE_LIFETIME + timedelta(seconds=1)),  # expired
    ],
)
def test_a_code_for_another_session_forged_or_expired_is_refused(session, secret, after):
    code = check_in_code(secret, session, "m-7f3a9c", now=NOW)
    with pytest.raises(Forbidden) as raised:
        read_check_in_code(SECRET, SESSION, code, now=NOW + after)
    assert raised.value.slug == "invalid-code"


@pytest.mark.parametrize("garbage", ["", "not a token", "gAAAAA" + "A" * 80, "é" * 20])
def test_garbage_is_refused_not_crashed_on(garbage):
    with pytest.raises(Forbidden):
        read_check_in_code(SECRET, SESSION, garbage, now=NOW)


def test_a_tampered_token_opens_to_nothing():
    token = seal_scoped(SECRET, b"scope", "value", at=1_800_000_000)
    assert open_scoped(SECRET, b"scope", token, ttl=60, at=1_800_000_010) == "value"
    tampered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    assert open_scoped(SECRET, b"scope", tampered, ttl=60, at=1_800_000_010) is None
    assert open_scoped(SECRET, b"other", token, ttl=60, at=1_800_000_010) is None
