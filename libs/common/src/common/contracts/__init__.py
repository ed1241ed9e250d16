"""The event catalogue: each producer's contracts, in a module of its own.

They live here, in the library every service already depends on, rather than in the
producing service's package: a consumer parses a producer's events without installing the
producer (membership does not need sortition's solver to read its events).
"""

from common.contracts import deliberation, membership, responses, sortition
from common.events.contracts import REGISTRY, Contract

PRODUCERS = {
    "membership": membership,
    "sortition": sortition,
    "deliberation": deliberation,
    "responses": responses,
}

__all__ = [
    "PRODUCERS",
    "REGISTRY",
    "Contract",
    "deliberation",
    "membership",
    "responses",
    "sortition",
]
