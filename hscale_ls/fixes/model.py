"""Edits and fixes as plain data: byte offsets into one file's current content."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Edit:
    path: str
    start_byte: int
    end_byte: int
    new_text: str
    create: bool = False  # the file does not exist yet; the edit is its whole content


@dataclass(frozen=True, slots=True)
class Fix:
    title: str
    safe: bool
    edits: tuple[Edit, ...]
    preferred: bool = False
    note: str = ""  # what the fix does not do, shown with it
    kind: str = "fix"  # "fix" (applied by --fix), "suppress" or "declare" (only ever chosen by a person)

    def paths(self) -> list[str]:
        return list(dict.fromkeys(edit.path for edit in self.edits))


def apply(source: bytes, edits: list[Edit]) -> bytes:
    """Apply non-overlapping edits of one file, last first so offsets stay valid. Identical edits
    (two fixes adding the same import) are applied once."""
    unique = list(dict.fromkeys((e.start_byte, e.end_byte, e.new_text) for e in edits))
    for start, end, text in sorted(unique, key=lambda e: (e[0], e[1]), reverse=True):
        source = source[:start] + text.encode("utf-8") + source[end:]
    return source
