"""Texts for citizens: Italian first, English beside it, as Decidim keeps them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Text(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    it: str = Field(min_length=1, max_length=2000, examples=["Assemblea permanente sul clima"])
    en: str = Field(min_length=1, max_length=2000, examples=["Permanent assembly on climate"])
