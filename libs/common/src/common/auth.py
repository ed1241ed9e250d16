"""OAuth2 bearer JWTs: HS256 with a configured secret locally, an issuer's JWKS in production.

Roles come from a claim (``roles`` by default). A missing or bad token is a 401, a token
without one of the required roles a 403.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from common.errors import Forbidden, Unauthorized
from common.settings import AuthSettings

ROLES = ("operator", "facilitator", "department", "member", "integration", "auditor")

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="A JWT access token. Locally: `make -s token ROLES=operator`.",
)


@dataclass(frozen=True)
class Principal:
    subject: str
    roles: frozenset[str]
    claims: dict[str, Any]

    def has_any(self, roles: set[str] | frozenset[str]) -> bool:
        return bool(self.roles & roles)


class TokenVerifier:
    def __init__(self, settings: AuthSettings) -> None:
        self.settings = settings
        self._jwks: jwt.PyJWKClient | None = (
            jwt.PyJWKClient(settings.jwks_url, cache_keys=True, lifespan=3600)
            if settings.jwks_url
            else None
        )

    async def verify(self, token: str) -> Principal:
        try:
            if self._jwks is not None:
                signing_key = await asyncio.to_thread(self._jwks.get_signing_key_from_jwt, token)
                key: Any = signing_key.key
                algorithms = [a for a in self.settings.algorithms if not a.startswith("HS")]
            else:
                key = self.settings.jwt_secret.get_secret_value()
                algorithms = [a for a in self.settings.algorithms if a.startswith("HS")]
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms or ["RS256"],
                audience=self.settings.audience,
                issuer=self.settings.issuer,
                leeway=self.settings.leeway_seconds,
                options={"require": ["exp", "sub", "iss", "aud"]},
            )
        except jwt.PyJWTError as exc:
            raise Unauthorized(
                f"The bearer token is not valid: {exc}",
                slug="invalid-token",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            ) from exc
        roles = claims.get(self.settings.roles_claim, [])
        if isinstance(roles, str):
            roles = roles.split()
        if not isinstance(roles, list):
            roles = []
        return Principal(
            subject=str(claims["sub"]), roles=frozenset(map(str, roles)), claims=claims
        )


def mint_token(
    settings: AuthSettings,
    *,
    subject: str,
    roles: list[str],
    ttl: timedelta = timedelta(hours=12),
    extra: dict[str, Any] | None = None,
) -> str:
    """A locally signed token (HS256), for development, tests and the local stack."""
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": subject,
        "iss": settings.issuer,
        "aud": settings.audience,
        "iat": now,
        "nbf": now,
        "exp": now + ttl,
        "jti": uuid.uuid4().hex,
        settings.roles_claim: roles,
        **(extra or {}),
    }
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")


def require_roles(*roles: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency that admits a valid token holding any of ``roles`` (any role if none)."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")
    wanted = frozenset(roles)

    async def dependency(
        request: Request,
        credentials: HTTPAuthorizationCredentials | None = Depends(bearer_scheme),
    ) -> Principal:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise Unauthorized(
                "Send a bearer token in the Authorization header.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        verifier: TokenVerifier = request.app.state.verifier
        principal = await verifier.verify(credentials.credentials)
        if wanted and not principal.has_any(wanted):
            raise Forbidden(
                f"This needs one of the roles: {', '.join(sorted(wanted))}.",
                required_roles=sorted(wanted),
            )
        request.state.principal = principal
        return principal

    dependency.__name__ = "require_" + "_or_".join(sorted(wanted) or ["token"])
    dependency.roles = wanted  # type: ignore[attr-defined]  # for the OpenAPI's x-roles
    return dependency


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print a bearer token for the local stack.")
    parser.add_argument("--roles", default="operator", help="comma-separated roles")
    parser.add_argument(
        "--subject",
        default="local-developer",
        help="who the token speaks for: a member's respondent id, a client's name",
    )
    parser.add_argument(
        "--departments",
        default="",
        help="comma-separated department codes, for a `department` token (claim departments)",
    )
    parser.add_argument("--hours", type=float, default=12.0)
    args = parser.parse_args(argv)
    departments = [d.strip() for d in args.departments.split(",") if d.strip()]
    roles = [r.strip() for r in args.roles.split(",") if r.strip()]
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        print(f"unknown roles {unknown}; known: {', '.join(ROLES)}", file=sys.stderr)
        return 2
    settings = AuthSettings()
    if not args.subject.strip():
        print("the subject cannot be empty", file=sys.stderr)
        return 2
    extra = {"departments": departments} if departments else None
    print(
        mint_token(
            settings,
            subject=args.subject.strip(),
            roles=roles,
            ttl=timedelta(hours=args.hours),
            extra=extra,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
