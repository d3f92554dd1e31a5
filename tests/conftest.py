"""Shared fixtures: copies of the bundled example and of the tiny centre in tmp_path; every
property test draws the same examples on every run, with no deadline per example (hypothesis
profile "staffing"; each test sets how many examples)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("staffing", derandomize=True, deadline=None)
settings.load_profile("staffing")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data" / "example"
TINY = Path(__file__).resolve().parent / "data" / "tiny"


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """A writable copy of tests/data/tiny (1 line, 1 team, 3 agents, 2 days of history)."""
    return Path(shutil.copytree(TINY, tmp_path / "tiny"))


@pytest.fixture(scope="session")
def example_centre():
    """The bundled example, loaded once (42 agents, 17 months of hourly history)."""
    from staffing import load_centre

    return load_centre(EXAMPLE)
