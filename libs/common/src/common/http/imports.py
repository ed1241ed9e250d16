"""A catalogue import, as JSON or CSV: the size, the CSV's columns, and a bad row named
in a 422 — the same for every catalogue a service imports (PAC, departments)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from common.errors import Invalid

T = TypeVar("T")
MAX_IMPORT_BYTES = 1_000_000


def check_size(body: bytes, *, max_bytes: int = MAX_IMPORT_BYTES) -> bytes:
    if len(body) > max_bytes:
        raise Invalid(
            f"The import is larger than {max_bytes // 1_000_000} MB.", slug="payload-too-large"
        )
    return body


def csv_records(body: bytes, columns: Sequence[str]) -> list[dict[str, str]]:
    """The rows of a UTF-8 CSV with a header naming (at least) ``columns``."""
    try:
        reader = csv.DictReader(io.StringIO(body.decode("utf-8-sig")))
    except UnicodeDecodeError as exc:
        raise Invalid("The CSV is not UTF-8.", slug="invalid-csv") from exc
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        raise Invalid(f"The CSV lacks the columns {', '.join(missing)}.", slug="invalid-csv")
    return [{c: (row.get(c) or "").strip() for c in columns} for row in reader]


#: How many of an import's errors a problem lists.
MAX_REPORTED_ERRORS = 50


def validated(
    adapter: TypeAdapter[T], data: bytes | Any, *, slug: str, rows_at: int | None = 0
) -> T:
    """``data`` (JSON bytes, or rows already read) as ``adapter`` reads it; otherwise a 422
    that names the first error in its detail and lists them all (up to
    :data:`MAX_REPORTED_ERRORS`) in ``errors``, each with its row (numbered from 1; the
    row index sits at ``rows_at`` in the error's location; ``None`` for one record, which
    has no rows) and, as request validation
    reports them, its location within the row, message and code, so that a
    file is corrected in one pass."""
    try:
        if isinstance(data, bytes):
            return adapter.validate_json(data)
        return adapter.validate_python(data)
    except ValidationError as exc:
        found = [_located(e, rows_at) for e in exc.errors()]
        first = found[0]
        field = ".".join(first["location"]) or "row"
        where = f"Row {first['row']}: {field}: " if first["row"] else f"{field}: "
        more = f" ({len(found)} errors in all)" if len(found) > 1 else ""
        raise Invalid(
            f"{where}{first['message']}.{more}",
            slug=slug,
            row=first["row"],
            errors=found[:MAX_REPORTED_ERRORS],
        ) from None


def _located(error: Any, rows_at: int | None) -> dict[str, Any]:
    """One error as request validation reports it (location, message, code), with its
    row."""
    loc = list(error["loc"])
    if rows_at is None:
        return {
            "row": None,
            "location": [str(p) for p in loc],
            "message": error["msg"],
            "code": error["type"],
        }
    index = loc[rows_at] if len(loc) > rows_at else None
    return {
        "row": index + 1 if isinstance(index, int) else None,
        "location": [str(p) for p in loc[rows_at + 1 :]],
        "message": error["msg"],
        "code": error["type"],
    }
