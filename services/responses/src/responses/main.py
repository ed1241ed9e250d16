"""The responses service: its definition and the app factory uvicorn runs."""

from __future__ import annotations

from fastapi import FastAPI

from common.dates import milan_today
from common.service import ServiceDefinition, Subscription
from common.service import create_app as build
from common.tasks import periodic
from responses.adapters.tables import platform
from responses.api import cases, departments, documents, implementation, public
from responses.config import ResponsesSettings
from responses.service.cases import on_proposal_adopted
from responses.service.policies import on_assembly_configured
from responses.service.schedule import run_clock


def definition(settings: ResponsesSettings) -> ServiceDefinition:
    async def clock(app: FastAPI) -> None:
        """Reminders and escalations by the calendar, without anyone pressing a button."""
        factory = app.state.uow_factory

        async def step() -> None:
            await run_clock(today=milan_today(), uow_factory=factory)

        await periodic("responses-clock", settings.clock_seconds, step)

    return ServiceDefinition(
        name="responses",
        title="Responses — Assemblea Permanente dei Cittadini sul Clima",
        description=(
            "The Comune's answer to every adopted proposal: cases, departments, due dates "
            "with reminders and escalation, drafts, four-eyes approval, published answers, "
            "the assembly's replies and implementation. No personal data."
        ),
        version="0.2.0",
        tables=platform,
        routers=[
            departments.router,
            cases.router,
            documents.router,
            implementation.router,
            departments.public,
            public.public,
            documents.public,
        ],
        tags=[
            {"name": "departments", "description": "The Comune's departments that answer."},
            {"name": "cases", "description": "One case per adopted proposal, on the clock."},
            {"name": "implementation", "description": "Results, milestones, progress."},
            {"name": "public", "description": "Anonymous reads, no personal data."},
        ],
        subscriptions=[
            Subscription.of(on_proposal_adopted),
            Subscription.of(on_assembly_configured),
        ],
        workers=[clock],
    )


#: The definition with the settings of the environment (tests build on it).
DEFINITION = definition(ResponsesSettings())


def create_app(settings: ResponsesSettings | None = None) -> FastAPI:
    settings = settings or ResponsesSettings()
    return build(definition(settings), settings)
