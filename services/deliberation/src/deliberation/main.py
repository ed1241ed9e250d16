"""The deliberation service: its definition and the app factory uvicorn runs."""

from __future__ import annotations

from fastapi import FastAPI

from common.service import ServiceDefinition
from common.service import create_app as build
from deliberation.adapters.tables import platform
from deliberation.api import pac
from deliberation.config import DeliberationSettings

DEFINITION = ServiceDefinition(
    name="deliberation",
    title="Deliberation — Assemblea Permanente dei Cittadini sul Clima",
    description=(
        "The PAC catalogue, plenaries and working groups, attendance, proposals with their "
        "versions and amendments, votes and tallies. No personal data beyond member ids."
    ),
    version="0.1.0",
    tables=platform,
    routers=[pac.router, pac.public],
    tags=[
        {"name": "pac", "description": "The Piano Aria e Clima's actions."},
        {"name": "public", "description": "Anonymous reads, no personal data."},
    ],
)


def create_app(settings: DeliberationSettings | None = None) -> FastAPI:
    return build(DEFINITION, settings or DeliberationSettings())
