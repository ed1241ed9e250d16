"""Pure pieces of the platform, no servers needed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from common.auth import TokenVerifier, mint_token
from common.errors import Invalid, PreconditionFailed, PreconditionRequired, Unauthorized
from common.http.etag import check_if_match, etag_of
from common.http.pagination import PageParams, _decode, _encode
from common.settings import AuthSettings, ServiceSettings
from common.tracing import parse_or_start


def test_page_token_round_trips_and_rejects_garbage():
    moment, row_id = datetime(2026, 11, 26, tzinfo=UTC), uuid.uuid4()
    assert _decode(_encode(moment, row_id), uuid.UUID) == (moment, row_id)
    assert _decode(_encode(moment, 42), int) == (moment, 42)
    for garbage in ("", "!!!", "W10", "eyJhIjoxfQ", _encode(moment, row_id)):
        with pytest.raises(Invalid):
            _decode(garbage, int)
    assert PageParams(limit=5, page_token=None).limit == 5


def test_if_match_is_required_and_checked():
    with pytest.raises(PreconditionRequired):
        check_if_match(None, version=3)
    with pytest.raises(PreconditionFailed):
        check_if_match('"2"', version=3)
    check_if_match(etag_of(3), version=3)
    check_if_match('"1", W/"3"', version=3)
    check_if_match("*", version=3)


def test_traceparent_is_continued_or_started():
    incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    continued = parse_or_start(incoming)
    assert continued.split("-")[1] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert continued.split("-")[2] != "00f067aa0ba902b7"
    started = parse_or_start("garbage")
    assert len(started.split("-")[1]) == 32


async def test_tokens_carry_roles_and_expire():
    settings = AuthSettings()
    verifier = TokenVerifier(settings)
    principal = await verifier.verify(
        mint_token(settings, subject="ops-1", roles=["operator", "auditor"])
    )
    assert principal.subject == "ops-1"
    assert principal.roles == {"operator", "auditor"}
    expired = mint_token(settings, subject="x", roles=[], ttl=timedelta(minutes=-5))
    with pytest.raises(Unauthorized):
        await verifier.verify(expired)
    other_audience = AuthSettings(audience="someone-else")
    with pytest.raises(Unauthorized):
        await verifier.verify(mint_token(other_audience, subject="x", roles=[]))


def test_placeholder_secret_is_refused_in_production():
    with pytest.raises(ValueError, match="placeholder"):
        ServiceSettings(environment="production")
    real = AuthSettings(jwt_secret="a-real-secret-from-the-vault-0123456789abcdef")
    assert ServiceSettings(environment="production", auth=real).environment == "production"
    ServiceSettings(environment="development")
