from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from common.settings import ServiceSettings


class DeliberationSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DELIBERATION_", extra="ignore")

    port: int = 8003
