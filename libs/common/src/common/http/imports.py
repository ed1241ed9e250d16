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


def validated(adapter: TypeAdapter[T], data: bytes | Any, *, slug: str, rows_at: int = 0) -> T:
    """``data`` (JSON bytes, or rows already read) as ``adapter`` reads it; the first error
    is a 422 naming its row (numbered from 1; the row index sits at ``rows_at`` in the
    error's location) and field."""
    try:
        if isinstance(data, bytes):
            return adapter.validate_json(data)
        return adapter.validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = list(first["loc"])
        index = loc[rows_at] if len(loc) > rows_at else None
        row = index + 1 if isinstance(index, int) else None
        where = ".".join(str(p) for p in loc[rows_at + 1 :]) or "row"
        raise Invalid(
            f"Row {row}: {where}: {first['msg']}." if row else f"{first['msg']}.",
            slug=slug,
            row=row,
        ) from None
