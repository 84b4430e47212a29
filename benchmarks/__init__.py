"""Benchmarks for hscale-ls; see README.md in this folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def emit(results: Any, output: Path | None) -> None:
    """Print results as JSON, and write them to `output` when given."""
    text = json.dumps(results, indent=2)
    print(text)
    if output is not None:
        output.write_text(text + "\n")
