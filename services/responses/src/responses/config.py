from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from common.settings import ServiceSettings


class ResponsesSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="RESPONSES_", extra="ignore")

    port: int = 8004
