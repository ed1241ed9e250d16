"""The membership service: its definition and the app factory uvicorn runs."""

from __future__ import annotations

from fastapi import FastAPI

from common.service import ServiceDefinition, Subscription
from common.service import create_app as build
from common.tasks import periodic
from membership.adapters.tables import platform
from membership.api import assemblies, composition, invitations, people, registrations, stipends
from membership.config import MembershipSettings
from membership.context import Context
from membership.service import lifecycle
from membership.service import people as personal_data
from membership.service.invitations import on_invitations_drawn
from membership.service.rounds import on_quotas_set, on_round_committed, on_round_opened
from membership.service.stipends import on_attendance_recorded


def definition(ctx: Context) -> ServiceDefinition:
    async def schedule(app: FastAPI) -> None:
        """Deadlines, terms, retention and key rotation, by the calendar."""
        factory = app.state.uow_factory

        async def step() -> None:
            await lifecycle.run_schedule(ctx, uow_factory=factory)
            await personal_data.apply_retention(ctx, uow_factory=factory)
            await personal_data.rotate_keys(ctx, uow_factory=factory)

        await periodic("membership-schedule", ctx.settings.schedule_seconds, step)

    return ServiceDefinition(
        name="membership",
        title="Membership — Assemblea Permanente dei Cittadini sul Clima",
        description=(
            "Assemblies and their rotation, invitations, registrations, members and their "
            "lifecycle. The only service holding personal data, which only operators read."
        ),
        version="0.2.0",
        tables=platform,
        routers=[
            assemblies.router,
            composition.router,
            invitations.router,
            registrations.router,
            people.router,
            stipends.router,
            composition.public,
        ],
        tags=[
            {"name": "assemblies", "description": "Assemblies, rotation and composition."},
            {"name": "invitations", "description": "Letters, codes and the mail house."},
            {"name": "registration", "description": "Registering with an invitation code."},
            {"name": "people", "description": "Lifecycle and personal data (operators)."},
            {"name": "stipends", "description": "Stipends, refunds and the payment file."},
            {"name": "public", "description": "Anonymous reads, no personal data."},
        ],
        subscriptions=[
            Subscription.of(
                on_round_opened,
                on_quotas_set,
                on_round_committed,
                on_invitations_drawn(ctx),
                lifecycle.on_panel_selected(ctx),
                lifecycle.on_replacement_drawn(ctx),
            ),
            Subscription.of(on_attendance_recorded),
        ],
        workers=[schedule],
    )


def create_app(settings: MembershipSettings | None = None) -> FastAPI:
    settings = settings or MembershipSettings()
    ctx = Context.of(settings)
    app = build(definition(ctx), settings)
    app.state.ctx = ctx
    app.state.background = set()
    return app
