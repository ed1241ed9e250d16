"""Across services: an assembly configured in membership reaches sortition by its event,
and only then can a selection round be opened for it."""

from __future__ import annotations

import httpx

from devstack.pytest_plugin import auth_header, eventually

OPERATOR = auth_header("operator")


async def test_a_round_opens_once_the_assembly_has_reached_sortition(start_service):
    _, sortition = await start_service("sortition")
    _, membership = await start_service("membership")
    assembly = await membership.post(
        "/v1/assemblies",
        json={
            "name": {"it": "Assemblea permanente", "en": "Permanent assembly"},
            "seats": 90,
            "min_age": 16,
            "rotation": {"cohort_size": 45, "cohort_interval_months": 3, "term_months": 6},
        },
        headers=OPERATOR,
    )
    assert assembly.status_code == 201
    round_ = {"assembly_id": assembly.json()["id"], "cohort": "1", "panel_size": 45}

    async def open_round() -> httpx.Response | None:
        response = await sortition.post("/v1/rounds", json=round_, headers=OPERATOR)
        if response.status_code == 422:
            assert response.json()["type"].endswith(":unknown-assembly")
            return None
        return response

    opened = await eventually(open_round)
    assert opened.status_code == 201, opened.text
    assert opened.json()["status"] == "open"

    public = (await sortition.get("/public/v1/rounds")).json()["items"]
    assert [r["cohort"] for r in public] == ["1"]
