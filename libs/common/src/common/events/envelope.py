"""The one envelope of every event: CloudEvents 1.0 attributes plus ``traceparent``.

``type`` is also the NATS subject, ``<service>.<aggregate>.<event>.v<N>``; ``subject`` is the
CloudEvents subject, the id of the aggregate the event is about.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

EVENT_TYPE = re.compile(r"^[a-z]+\.[a-z_]+\.[a-z_]+\.v[1-9][0-9]*$")


class Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    source: str = Field(examples=["/sortition"])
    type: str = Field(examples=["sortition.invitations.drawn.v1"])
    specversion: Literal["1.0"] = "1.0"
    time: datetime = Field(default_factory=lambda: datetime.now(UTC))
    subject: str | None = Field(default=None, examples=["round/5b1c..."])
    datacontenttype: Literal["application/json"] = "application/json"
    data: dict[str, Any] = Field(default_factory=dict)
    traceparent: str | None = None

    @field_validator("type")
    @classmethod
    def _type_is_a_subject(cls, value: str) -> str:
        if not EVENT_TYPE.match(value):
            raise ValueError("type must read <service>.<aggregate>.<event>.v<N>")
        return value

    @property
    def service(self) -> str:
        return self.type.split(".", 1)[0]
