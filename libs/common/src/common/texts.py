"""Texts for citizens: Italian first, English beside it, as Decidim keeps them."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints


def _printable(value: str) -> str:
    """Text a person wrote: no control characters (a tab or a line break aside)."""
    if any(unicodedata.category(c) == "Cc" and c not in "\t\n\r" for c in value):
        raise ValueError("holds a control character")
    return value


#: A name or a short text typed by a person: trimmed, not blank, no control characters.
PersonText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_printable)
]


class Text(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    it: str = Field(min_length=1, max_length=2000, examples=["Assemblea permanente sul clima"])
    en: str = Field(min_length=1, max_length=2000, examples=["Permanent assembly on climate"])
