"""Regenerate the key tables of docs/centre.md from the schema: python docs/update_centre_md.py"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from staffing.schema import update_docs  # noqa: E402

if __name__ == "__main__":
    update_docs(str(ROOT / "docs" / "centre.md"))
