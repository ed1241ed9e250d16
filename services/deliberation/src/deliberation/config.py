from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from common.settings import ServiceSettings


class DeliberationSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DELIBERATION_", extra="ignore")

    port: int = 8003
    #: Signs the members' check-in codes; set a long random value in production.
    check_in_secret: SecretStr = SecretStr("local-check-in-secret-change-me")
