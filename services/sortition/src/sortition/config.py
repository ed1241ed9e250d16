from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from common.settings import ServiceSettings


class SortitionSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SORTITION_", extra="ignore")

    port: int = 8001
