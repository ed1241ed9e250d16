"""Content negotiation by the ``Accept`` header, q-values included (RFC 9110 §12.5.1)."""

from __future__ import annotations

from collections.abc import Sequence


def _ranges(accept: str) -> list[tuple[str, float, int]]:
    found = []
    for position, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        if not media:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(1.0, max(0.0, float(value)))
                except ValueError:
                    q = 0.0
        found.append((media.lower(), q, position))
    return found


def _specificity(media_range: str, offered: str) -> int | None:
    if media_range == offered:
        return 2
    kind, _, sub = media_range.partition("/")
    if sub == "*" and offered.startswith(kind + "/"):
        return 1
    if media_range in ("*/*", "*"):
        return 0
    return None


def choose(accept: str | None, offered: Sequence[str]) -> str | None:
    """The offered media type the client prefers: the first offered when it says nothing,
    None when it accepts none of them (a 406)."""
    if not accept or not accept.strip():
        return offered[0]
    ranges = _ranges(accept)
    best: tuple[float, int, int] | None = None
    chosen = None
    for index, media in enumerate(offered):
        matches = [(spec, q) for r, q, _ in ranges if (spec := _specificity(r, media)) is not None]
        if not matches:
            continue
        # the most specific range that matches decides the type's quality
        q = max(matches)[1]
        if q <= 0:
            continue
        rank = (q, -index, 0)
        if best is None or rank > best:
            best, chosen = rank, media
    return chosen
