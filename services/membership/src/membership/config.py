from __future__ import annotations

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from common.crypto import DEVELOPMENT_KEY
from common.http.clients import networks
from common.settings import ServiceSettings


class MembershipSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MEMBERSHIP_", extra="ignore")

    port: int = 8002
    # Fernet keys for personal data, newest first: the first encrypts, all decrypt.
    # MEMBERSHIP_PERSONAL_DATA_KEYS='["new-key", "old-key"]' rotates without downtime.
    personal_data_keys: list[SecretStr] = Field(
        default_factory=lambda: [SecretStr(DEVELOPMENT_KEY)], min_length=1
    )
    # Where citizens register; printed in the letters.
    registration_url: str = "https://partecipazione.comune.milano.it/assemblea-clima"
    invitation_valid_days: int = Field(default=45, ge=1, le=365)
    # Failed invitation codes a client may send in the window before it gets 429.
    code_failures_allowed: int = Field(default=10, ge=1)
    code_failure_window_seconds: int = Field(default=600, ge=1)
    # Proxies (addresses or CIDRs) whose X-Forwarded-For is believed; no other peer's is.
    trusted_proxies: list[str] = Field(default_factory=list)
    # Days the selected have to answer before they count as unreachable.
    reply_days: int = Field(default=15, ge=1, le=120)
    # Retention: personal data of respondents not selected, days after the draw (unless
    # they consented to a reserve list), and of former members, days after their term.
    retention_not_selected_days: int = Field(default=90, ge=0)
    retention_former_members_days: int = Field(default=365, ge=0)
    # How often the schedule (deadlines, terms, retention, key rotation) runs.
    schedule_seconds: float = Field(default=60.0, gt=0)

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        networks(value)  # a ValueError names the entry that is no address or CIDR
        return value

    @model_validator(mode="after")
    def _refuse_development_key(self) -> MembershipSettings:
        keys = [k.get_secret_value() for k in self.personal_data_keys]
        if self.environment == "production" and DEVELOPMENT_KEY in keys:
            raise ValueError("MEMBERSHIP_PERSONAL_DATA_KEYS holds the development key")
        return self
