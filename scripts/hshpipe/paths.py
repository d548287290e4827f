"""Where the package's own files are: resources (transcript models, protein, curated table) and schemas, found
from the package's location in the checkout (an editable install), never from the working directory."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RESOURCES = PROJECT_ROOT / "resources"
SCHEMAS = PROJECT_ROOT / "workflow" / "schemas"
