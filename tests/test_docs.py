"""Docs as tests: the documented schema is the schema, and the README's commands exist."""

from __future__ import annotations

from staffing.schema import BEGIN, END, TABLES, markdown
from tests.conftest import ROOT


def test_centre_docs_match_the_schema() -> None:
    """docs/centre.md holds exactly the generated key tables (regenerate with
    `python docs/update_centre_md.py`)."""
    text = (ROOT / "docs" / "centre.md").read_text(encoding="utf-8")
    generated = text.split(BEGIN, 1)[1].split(END, 1)[0]
    assert generated.strip() == markdown().strip()


def test_every_key_has_meaning_and_example() -> None:
    """Every key documents its type, meaning and example."""
    for table in TABLES:
        for key in table.keys:
            assert key.type and key.meaning and key.example, f"{table.path}.{key.name}"


def test_readme_opens_with_the_two_commands() -> None:
    """The README's first commands install and run the main job, then install and run the tests;
    .ci/run runs that same test command."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = readme.split("```")
    first, second = blocks[1], blocks[3]
    assert "pip install" in first and "staffing" in first
    assert "pip install" in second and "pytest" in second
    test_command = next(line for line in second.splitlines() if "pytest" in line).strip()
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
