"""The deliberation service: its definition and the app factory uvicorn runs."""

from __future__ import annotations

from fastapi import FastAPI

from common.service import ServiceDefinition, Subscription
from common.service import create_app as build
from deliberation.adapters.tables import platform
from deliberation.api import assemblies, documents, pac, proposals, public, sessions, votes
from deliberation.config import DeliberationSettings
from deliberation.service.answers import on_implementation_updated, on_response_published
from deliberation.service.roster import (
    on_assembly_configured,
    on_member_activated,
    on_member_term_ended,
    on_member_withdrew,
    on_person_erased,
)

DEFINITION = ServiceDefinition(
    name="deliberation",
    title="Deliberation — Assemblea Permanente dei Cittadini sul Clima",
    description=(
        "The PAC catalogue, plenaries and working groups, attendance, proposals with their "
        "versions and amendments, votes and tallies. No personal data beyond member ids."
    ),
    version="0.2.0",
    tables=platform,
    routers=[
        pac.router,
        assemblies.router,
        sessions.router,
        documents.router,
        proposals.router,
        votes.router,
        pac.public,
        pac.catalogue_router,
        pac.catalogue_public,
        public.public,
        documents.public,
    ],
    tags=[
        {"name": "pac", "description": "The Piano Aria e Clima's actions."},
        {"name": "assemblies", "description": "Who sits, and the rules votes are decided by."},
        {"name": "sessions", "description": "Plenaries, working-group meetings, attendance."},
        {"name": "proposals", "description": "Working groups, proposals, versions, amendments."},
        {"name": "votes", "description": "Votes by tally or by ballots, and their results."},
        {"name": "public", "description": "Anonymous reads, no personal data."},
    ],
    subscriptions=[
        Subscription.of(
            on_assembly_configured,
            on_member_activated,
            on_member_term_ended,
            on_member_withdrew,
            on_person_erased,
        ),
        Subscription.of(on_response_published, on_implementation_updated),
    ],
    # A secret ballot is never remembered beside its voter, not even as a request hash.
    unremembered=(r"^/v1/votes/[^/]+/ballots$",),
)


def create_app(settings: DeliberationSettings | None = None) -> FastAPI:
    return build(DEFINITION, settings or DeliberationSettings())
