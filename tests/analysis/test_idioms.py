"""Idioms seen in real projects (`benchmarks/realworld/`), each a small project that must be flagged
next to a look-alike that must stay silent. `expect.json` in each idiom folder says, for `flagged/`
and `silent/`, the verdict and every finding (`file:line rule name`)."""

from __future__ import annotations

import json
import os

import pytest

from hscale_ls.analysis.engine import scan
from tests.conftest import FIXTURES

IDIOMS = FIXTURES / "idioms"
CASES = [
    (idiom.name, side)
    for idiom in sorted(IDIOMS.iterdir())
    if idiom.is_dir()
    for side in ("flagged", "silent")
]


@pytest.mark.parametrize(("idiom", "side"), CASES)
def test_idiom(idiom: str, side: str) -> None:
    expected = json.loads((IDIOMS / idiom / "expect.json").read_text())[side]
    folder = IDIOMS / idiom / side
    result = scan([str(folder)], cwd=str(folder), jobs=1)
    found = [
        f"{os.path.relpath(f.path, folder)}:{f.span.start.line + 1} {f.rule} {f.name}"
        for f in result.findings
    ]
    assert found == expected["findings"]
    assert [a.verdict for a in result.audits.values()] == [expected["verdict"]]


def test_every_idiom_has_a_flagged_case_and_a_silent_look_alike() -> None:
    for idiom in IDIOMS.iterdir():
        expected = json.loads((idiom / "expect.json").read_text())
        assert expected["flagged"]["findings"], idiom.name
        assert expected["silent"]["findings"] == [], idiom.name
