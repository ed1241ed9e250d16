"""The responses service: its definition and the app factory uvicorn runs."""

from __future__ import annotations

from fastapi import FastAPI

from common.service import ServiceDefinition
from common.service import create_app as build
from responses.adapters.tables import platform
from responses.api import departments
from responses.config import ResponsesSettings

DEFINITION = ServiceDefinition(
    name="responses",
    title="Responses — Assemblea Permanente dei Cittadini sul Clima",
    description=(
        "The Comune's answer to every adopted proposal: cases, departments, deadlines, "
        "drafts, approvals, published answers and implementation. No personal data."
    ),
    version="0.1.0",
    tables=platform,
    routers=[departments.router, departments.public],
    tags=[
        {"name": "departments", "description": "The Comune's departments that answer."},
        {"name": "public", "description": "Anonymous reads, no personal data."},
    ],
)


def create_app(settings: ResponsesSettings | None = None) -> FastAPI:
    return build(DEFINITION, settings or ResponsesSettings())
