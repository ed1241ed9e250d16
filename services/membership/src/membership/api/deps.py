"""Dependencies of the membership routes."""

from __future__ import annotations

from fastapi import Request

from membership.context import Context


async def get_ctx(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx
