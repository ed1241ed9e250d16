"""The sortition service: its definition and the app factory uvicorn runs."""

from __future__ import annotations

from fastapi import FastAPI

from common.service import ServiceDefinition, Subscription
from common.service import create_app as build
from sortition.adapters.membership import membership_client
from sortition.adapters.tables import platform
from sortition.api import draws, pool, quotas, rounds, stage1
from sortition.config import SortitionSettings
from sortition.service.assemblies import on_assembly_configured
from sortition.service.pool import on_respondent_registered
from sortition.service.replacements import on_member_declined, on_member_withdrew

DEFINITION = ServiceDefinition(
    name="sortition",
    title="Sortition — Assemblea Permanente dei Cittadini sul Clima",
    description=(
        "The two-stage lottery: selection rounds, quotas, pools, draws, panels and "
        "replacements. Holds pseudonymous ids and features only, never names or contacts."
    ),
    version="0.1.0",
    tables=platform,
    resources=[membership_client],
    routers=[
        rounds.router,
        quotas.router,
        stage1.router,
        pool.router,
        draws.router,
        rounds.public,
        draws.public,
        stage1.public,
    ],
    tags=[
        {"name": "rounds", "description": "Selection rounds, one per cohort of an assembly."},
        {"name": "stage 1", "description": "Registry extract and invitation letters."},
        {"name": "pool", "description": "Respondents (pseudonymous) and feasibility."},
        {"name": "draws", "description": "Commit, reveal, draw, audit and verify."},
        {"name": "public", "description": "Anonymous reads, no personal data."},
    ],
    subscriptions=[
        Subscription.of(
            on_assembly_configured,
            on_respondent_registered,
            on_member_declined,
            on_member_withdrew,
        )
    ],
)


def create_app(settings: SortitionSettings | None = None) -> FastAPI:
    return build(DEFINITION, settings or SortitionSettings())
