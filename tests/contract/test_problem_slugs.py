"""The problem types an operation's documentation names are ones its service can raise."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

SERVICES = ("sortition", "membership", "deliberation", "responses")
ROOT = Path(__file__).resolve().parents[2]
NAMED = re.compile(r"`([a-z][a-z0-9-]+)`")


def _raised(service: str) -> set[str]:
    sources = [
        *(ROOT / "services" / service / "src").rglob("*.py"),
        *(ROOT / "libs" / "common" / "src").rglob("*.py"),
    ]
    found: set[str] = set()
    for path in sources:
        text = path.read_text()
        for expression in re.findall(r"slug=([^,)\n]+)", text):  # slug="x", slug=s or "x"
            found |= set(re.findall(r'"([a-z0-9-]+)"', expression))
        found |= set(re.findall(r'not_found = \(\s*"[^"]*",\s*"([a-z0-9-]+)",?\s*\)', text))
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_documented_problem_types_exist(service):
    app = importlib.import_module(f"{service}.main").create_app()
    raised = _raised(service)
    documented = 0
    for path, item in app.openapi()["paths"].items():
        for method, operation in item.items():
            for status, response in operation.get("responses", {}).items():
                if not status.startswith("4"):
                    continue
                for slug in NAMED.findall(response.get("description", "")):
                    documented += 1
                    assert slug in raised, f"{method.upper()} {path} {status}: {slug}"
    if service == "responses":
        assert documented > 10
