"""Settings shared by every service.

Each service subclasses :class:`ServiceSettings` with its own environment prefix
(``SORTITION_``, ``MEMBERSHIP_``, ...). Authentication is configured once for the whole
stack with the ``AUTH_`` prefix, since every service trusts the same issuer.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["development", "test", "production"]

#: The signing secret used when none is configured. Accepted only in development and test.
DEVELOPMENT_JWT_SECRET = "development-only-secret-change-me-0123456789"  # noqa: S105

_PLACEHOLDERS = {DEVELOPMENT_JWT_SECRET, "", "changeme", "secret"}


class AuthSettings(BaseSettings):
    """How bearer tokens are verified (``AUTH_*``)."""

    model_config = SettingsConfigDict(env_prefix="AUTH_", extra="ignore")

    jwt_secret: SecretStr = SecretStr(DEVELOPMENT_JWT_SECRET)
    jwks_url: str | None = None
    issuer: str = "assemblea-clima-local"
    audience: str = "assemblea-clima"
    roles_claim: str = "roles"
    algorithms: list[str] = ["HS256"]
    leeway_seconds: int = Field(default=30, ge=0, le=300)

    @property
    def uses_placeholder_secret(self) -> bool:
        return self.jwks_url is None and self.jwt_secret.get_secret_value() in _PLACEHOLDERS


class ServiceSettings(BaseSettings):
    """Settings every service has. Subclasses set ``env_prefix``."""

    model_config = SettingsConfigDict(extra="ignore")

    environment: Environment = "development"
    database_url: SecretStr = SecretStr("postgresql+asyncpg://postgres@127.0.0.1:5432/assemblea")
    database_pool_size: int = Field(default=5, ge=1, le=100)
    nats_url: str = "nats://127.0.0.1:4222"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: str = "INFO"
    run_workers: bool = True
    outbox_poll_seconds: float = Field(default=2.0, gt=0, le=60)
    consumer_max_deliver: int = Field(default=5, ge=1, le=100)
    consumer_ack_wait_seconds: float = Field(default=30.0, gt=0, le=3600)
    consumer_backoff_seconds: list[float] = [1.0, 5.0, 30.0, 120.0]
    idempotency_ttl_hours: int = Field(default=24, ge=1, le=24 * 30)
    #: The largest JSON body a route reads; larger ones are a 413 before they are read.
    max_json_body_bytes: int = Field(default=1024 * 1024, ge=1024, le=64 * 1024 * 1024)
    #: The largest upload (a registry extract, a pool, quotas as CSV), counted as it streams.
    max_upload_bytes: int = Field(default=512 * 1024 * 1024, ge=1024, le=16 * 1024**3)
    auth: AuthSettings = Field(default_factory=AuthSettings)

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> ServiceSettings:
        if self.environment == "production" and self.auth.uses_placeholder_secret:
            raise ValueError(
                "AUTH_JWT_SECRET is a placeholder: set a real secret or AUTH_JWKS_URL in production"
            )
        return self

    @property
    def sqlalchemy_url(self) -> str:
        url = self.database_url.get_secret_value()
        if url.startswith("postgresql://"):
            url = "postgresql+asyncpg://" + url.removeprefix("postgresql://")
        return url
