from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from common.settings import ServiceSettings


class SortitionSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SORTITION_", extra="ignore")

    port: int = 8001
    # How often (in rows) an extract import writes its progress.
    extract_progress_every: int = Field(default=100_000, ge=1)
    # The membership service, for rotation-aware quotas.
    membership_url: str = "http://127.0.0.1:8002"
    membership_timeout_seconds: float = Field(default=10.0, gt=0)
    # Letters go out at least this many days before the cohort's training starts: time for
    # the post, the registrations, the draw and the selected's replies.
    letters_lead_days: int = Field(default=30, ge=0, le=365)
