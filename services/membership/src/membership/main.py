"""The membership service: its definition and the app factory uvicorn runs."""

from __future__ import annotations

from fastapi import FastAPI

from common.service import ServiceDefinition
from common.service import create_app as build
from membership.adapters.tables import platform
from membership.api import assemblies
from membership.config import MembershipSettings

DEFINITION = ServiceDefinition(
    name="membership",
    title="Membership — Assemblea Permanente dei Cittadini sul Clima",
    description=(
        "Assemblies and their rotation, invitations, registrations, members and their "
        "lifecycle. The only service holding personal data, which only operators read."
    ),
    version="0.1.0",
    tables=platform,
    routers=[assemblies.router],
    tags=[{"name": "assemblies", "description": "Assemblies, seats and rotation policies."}],
)


def create_app(settings: MembershipSettings | None = None) -> FastAPI:
    return build(DEFINITION, settings or MembershipSettings())
