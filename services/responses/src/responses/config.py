from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from common.settings import ServiceSettings


class ResponsesSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="RESPONSES_", extra="ignore")

    port: int = 8004
    #: How often the clock looks for reminders and escalations that have fallen due.
    clock_seconds: float = Field(default=60.0, gt=0)
