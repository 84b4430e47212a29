"""Fixes: pure functions from a finding and source text to edits (no pygls, no file writes).

The CLI and the language server share them. Every fix here is additive: it inserts lines and
never rewrites or removes user code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hscale_ls.analysis.project import Finding

SUPPRESS_REASON = "explain why this state may stay in memory"


@dataclass(frozen=True, slots=True)
class Edit:
    path: str
    start_byte: int
    end_byte: int
    new_text: str


@dataclass(frozen=True, slots=True)
class Fix:
    title: str
    safe: bool
    edits: tuple[Edit, ...]


def suppress_title(finding: Finding) -> str:
    return f"Suppress {finding.rule} for `{finding.name}` (with a reason)"


DECLARE_TITLE = "Declare this project single-instance in .hscale.toml"


def titles_for(finding: Finding) -> list[str]:
    return [suppress_title(finding), DECLARE_TITLE]


def suppress(finding: Finding, source: bytes) -> Fix:
    """A suppression comment on its own line above the finding, in the line's indentation."""
    line_start = finding.span.start_byte - finding.span.start.byte
    line = source[line_start:].split(b"\n", 1)[0]
    indent = line[: len(line) - len(line.lstrip(b" \t"))].decode("utf-8", errors="replace")
    newline = "\r\n" if line.endswith(b"\r") else "\n"
    if finding.path.endswith(".py"):
        comment = f"# hscale: ignore[{finding.rule}] {SUPPRESS_REASON}"
    else:
        comment = f"// hscale-ignore {finding.rule} -- {SUPPRESS_REASON}"
    return Fix(
        suppress_title(finding),
        False,
        (Edit(finding.path, line_start, line_start, indent + comment + newline),),
    )


_DEPLOYMENT = re.compile(rb'(?m)^[ \t]*deployment[ \t]*=[ \t]*("[^"\n]*"|\'[^\'\n]*\')[ \t]*$')


def declare_single_instance(config_path: str, existing: bytes | None) -> Fix:
    """Create `.hscale.toml` or set its top-level `deployment` key; other content stays as it was."""
    if existing is None:
        return Fix(DECLARE_TITLE, False, (Edit(config_path, 0, 0, 'deployment = "single-instance"\n'),))
    # only a key before the first [table] is the top-level one
    table = re.search(rb"(?m)^[ \t]*\[", existing)
    head_end = table.start() if table else len(existing)
    match = _DEPLOYMENT.search(existing, 0, head_end)
    if match:
        value = match.span(1)
        return Fix(DECLARE_TITLE, False, (Edit(config_path, value[0], value[1], '"single-instance"'),))
    return Fix(DECLARE_TITLE, False, (Edit(config_path, 0, 0, 'deployment = "single-instance"\n'),))


def apply(source: bytes, edits: list[Edit]) -> bytes:
    """Apply non-overlapping edits of one file, last first so offsets stay valid."""
    for edit in sorted(edits, key=lambda e: e.start_byte, reverse=True):
        source = source[: edit.start_byte] + edit.new_text.encode("utf-8") + source[edit.end_byte :]
    return source
