"""What sortition asks membership over REST: the composition of the members who continue
when a cohort starts, for rotation-aware quotas."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI, Request

from common.errors import Conflict, ServiceUnavailable


class MembershipClient:
    """Calls membership with the caller's own bearer token: membership decides, by the
    caller's roles, what it may read."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def continuing(
        self, assembly_id: uuid.UUID, cohort: str, *, authorization: str
    ) -> dict[str, dict[str, int]]:
        try:
            response = await self.http.get(
                f"/v1/assemblies/{assembly_id}/composition",
                params={"cohort": cohort},
                headers={"Authorization": authorization},
            )
        except httpx.HTTPError as exc:
            raise ServiceUnavailable(
                f"The membership service did not answer ({type(exc).__name__}).",
                slug="membership-unavailable",
            ) from exc
        if response.status_code != 200:
            try:
                detail = response.json().get("detail", "")
            except ValueError:
                detail = response.text[:200]
            if response.status_code >= 500:
                raise ServiceUnavailable(
                    f"The membership service failed: {detail}", slug="membership-unavailable"
                )
            raise Conflict(
                f"Membership cannot give the continuing members ({response.status_code}): {detail}",
                slug="composition-unavailable",
            )
        by_feature: dict[str, dict[str, int]] = response.json()["by_feature"]
        return by_feature


@contextlib.asynccontextmanager
async def membership_client(app: FastAPI) -> AsyncIterator[None]:
    """The one HTTP client to membership, for the app's life (a resource of the service)."""
    settings = app.state.settings
    async with httpx.AsyncClient(
        base_url=settings.membership_url, timeout=settings.membership_timeout_seconds
    ) as http:
        app.state.membership = MembershipClient(http)
        yield


async def get_membership(request: Request) -> MembershipClient:
    """The membership client, as a dependency (tests override it with the real app's)."""
    client: MembershipClient = request.app.state.membership
    return client
