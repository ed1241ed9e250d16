"""Where the local stack keeps its data, its ports, and how it reaches the servers."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from common.events.streams import SERVICES

REPO_ROOT = Path(__file__).resolve().parents[4]
SERVICE_PORTS = {"sortition": 8001, "membership": 8002, "deliberation": 8003, "responses": 8004}
assert tuple(SERVICE_PORTS) == SERVICES


class StackSettings(BaseSettings):
    """``DATABASE_URL`` and ``NATS_URL`` point at servers to use; unset, the stack starts an
    embedded PostgreSQL and nats-server of its own, with their data under ``DATA_DIR``."""

    model_config = SettingsConfigDict(extra="ignore")

    database_url: str | None = Field(
        default=None, description="An admin (superuser) URL of a running PostgreSQL."
    )
    nats_url: str | None = None
    data_dir: Path = REPO_ROOT / ".data"
    embedded_postgres_port: int = Field(default=55432, validation_alias="EMBEDDED_POSTGRES_PORT")
    embedded_nats_port: int = Field(default=54222, validation_alias="EMBEDDED_NATS_PORT")
    database_name: str = Field(default="assemblea", validation_alias="DATABASE_NAME")

    @property
    def admin_url(self) -> str:
        return self.database_url or (
            f"postgresql://postgres@127.0.0.1:{self.embedded_postgres_port}/postgres"
        )

    @property
    def broker_url(self) -> str:
        return self.nats_url or f"nats://127.0.0.1:{self.embedded_nats_port}"
