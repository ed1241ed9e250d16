"""What the end-to-end tests share: sortition and membership set up for a round with its
letters drawn and issued, the mail-house file read back, registrations as the integration
sends them, and a list read page by page."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta

from sortition_support import extract

from devstack.pytest_plugin import auth_header, eventually
from sortition.adapters.membership import MembershipClient, get_membership

OPERATOR = auth_header("operator")
INTEGRATION = {
    **auth_header("integration", subject="milano-partecipa"),
    "X-Client-Identity": "session-e2e",
}
PANEL = 10
QUOTAS = (
    "feature,value,min,max\n"
    "gender,F,4,6\ngender,M,4,6\n"
    "municipio,M1,2,5\nmunicipio,M2,2,5\nmunicipio,M3,2,5\n"
    "age_band,16-39,2,7\nage_band,40+,3,8\n"
)


async def set_up(start_service, *, first_cohort: date, rotation=None, **membership_settings):
    sortition_app, sortition = await start_service("sortition")
    _, membership = await start_service("membership", schedule_seconds=0.3, **membership_settings)
    # sortition asks the real membership app, in this process
    sortition_app.dependency_overrides[get_membership] = lambda: MembershipClient(membership)
    rotation = rotation or {"cohort_size": PANEL, "cohort_interval_months": 12, "term_months": 12}
    seats = rotation["cohort_size"] * rotation["term_months"] // rotation["cohort_interval_months"]
    assembly = await membership.post(
        "/v1/assemblies",
        json={
            "name": {"it": "Assemblea", "en": "Assembly"},
            "seats": seats,
            "min_age": 16,
            "rotation": {
                **rotation,
                "training_weeks": 2,
                "first_cohort_starts_on": first_cohort.isoformat(),
            },
        },
        headers=OPERATOR,
    )
    assert assembly.status_code == 201, assembly.text
    assembly_id = assembly.json()["id"]
    body = {"assembly_id": assembly_id, "cohort": f"{first_cohort:%Y-%m}", "panel_size": PANEL}

    async def opened():
        response = await sortition.post("/v1/rounds", json=body, headers=OPERATOR)
        return response.json() if response.status_code == 201 else None

    round_id = (await eventually(opened))["id"]
    base = f"/v1/rounds/{round_id}"
    quotas = await sortition.put(
        f"{base}/quotas",
        content=QUOTAS,
        headers={**OPERATOR, "If-Match": '"1"', "Content-Type": "text/csv"},
    )
    assert quotas.status_code == 200, quotas.text
    uploaded = await sortition.put(
        f"{base}/extract",
        content=extract(2000, seed=3),
        headers={**OPERATOR, "Content-Type": "text/csv"},
    )
    assert uploaded.status_code == 200, uploaded.text
    drawn = await sortition.post(
        f"{base}/invitations", json={"count": 200, "seed": "letters"}, headers=OPERATOR
    )
    assert drawn.status_code == 201, drawn.text
    return sortition, membership, assembly_id, round_id


async def letters(membership, round_id: str) -> list[dict]:
    async def issued():
        counts = await membership.get(f"/v1/rounds/{round_id}/invitations", headers=OPERATOR)
        return counts.json() if counts.status_code == 200 and counts.json()["issued"] else None

    assert (await eventually(issued)) == {"issued": 200, "undeliverable": 0, "used": 0}
    started = await membership.post(f"/v1/rounds/{round_id}/exports", headers=OPERATOR)
    assert started.status_code == 202, started.text

    async def ready():
        job = (await membership.get(started.headers["Location"], headers=OPERATOR)).json()
        return job if job["status"] == "ready" else None

    job = await eventually(ready)
    assert job["done"] == job["total"] == 200
    assert job["percent"] == 100.0
    file = await membership.get(job["file"], headers=OPERATOR)
    assert file.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(file.text)))
    assert list(rows[0]) == ["person_ref", "code", "registration_url", "reply_by"]
    return rows


async def all_pages(client, path: str, *, params: dict) -> list[dict]:
    """Every item of a list, page by page, as a client would read it."""
    items: list[dict] = []
    params = dict(params)
    while True:
        page = await client.get(path, params=params, headers=OPERATOR)
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        if not page.json().get("next_page_token"):
            return items
        params["page_token"] = page.json()["next_page_token"]


def registration(code: str, rng: random.Random, n: int, **changes) -> dict:
    age = rng.randint(18, 80)
    return {
        "code": code,
        "first_name": f"Nome{n}",
        "last_name": f"Cognome{n}",
        "email": f"persona{n}@example.org",
        "phone": f"+39 02 555 {n:04d}",
        "date_of_birth": (date(2026, 1, 1) - timedelta(days=365 * age + 30)).isoformat(),
        "features": {
            "gender": "FM"[n % 2],
            "citizenship": "IT",
            "municipio": f"M{1 + n % 3}",
        },
        "consents": {"participation": True, "public_listing": n % 4 == 0},
        "availability": ["weekday evenings"],
        **changes,
    }
