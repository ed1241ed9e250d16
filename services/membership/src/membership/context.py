"""What the membership use cases need besides a unit of work: settings, the cipher for
personal data, and the local date."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from common.crypto import FieldCipher
from common.dates import milan_today
from common.http.clients import Network, networks
from membership.config import MembershipSettings


@dataclass(frozen=True)
class Context:
    settings: MembershipSettings
    cipher: FieldCipher
    trusted_proxies: list[Network] = field(default_factory=list)

    @classmethod
    def of(cls, settings: MembershipSettings) -> Context:
        keys = [k.get_secret_value() for k in settings.personal_data_keys]
        return cls(
            settings=settings,
            cipher=FieldCipher(keys),
            trusted_proxies=networks(settings.trusted_proxies),
        )

    def note(self, sealed: str | None, *, readable: bool) -> dict[str, Any]:
        """An operator's sealed note as a reader may see it: opened when ``readable``,
        else only said to exist (``note_withheld``)."""
        return {
            "note": self.cipher.open(sealed) if readable and sealed else None,
            "note_withheld": sealed is not None and not readable,
        }


def today() -> date:
    """Dates of the assembly (terms, deadlines, expiry) are Milan's."""
    return milan_today()
