"""How hard the hardening probes push. CI runs the short sizes; a nightly run sets
`HSCALE_HARDENING=nightly` for the slow ones (thousands of fuzzed edits, hostile bundles of tens of MB):

    HSCALE_HARDENING=nightly .venv/bin/python -m pytest tests/hardening
"""

from __future__ import annotations

import os

NIGHTLY = os.environ.get("HSCALE_HARDENING", "ci") == "nightly"


def size(ci: int, nightly: int) -> int:
    """A probe's size (edits, bytes, repetitions) for this run."""
    return nightly if NIGHTLY else ci


def timeout(ci: float, nightly: float) -> float:
    """A probe's pytest timeout in seconds for this run (use with @pytest.mark.timeout)."""
    return nightly if NIGHTLY else ci
