"""Apply fixes across a project until none is left, in memory: one fix at a time, re-analysing
after each (a server's adapter may clear other findings), refusing any fix whose result parses
worse than the original (source files by tree-sitter, manifests by their own tool's rules) or that
touches a file `--fix` could not write. The caller decides whether to write the result (all files or
none, see `files.write_all`) or print a diff."""

from __future__ import annotations

import difflib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from hscale_ls.analysis.languages import language_for_path
from hscale_ls.analysis.live import LiveWorkspace
from hscale_ls.fixes import FixContext, fixes_for
from hscale_ls.fixes.files import Refusal, read_disk, refusal, write_all
from hscale_ls.fixes.manifests import manifest_errors
from hscale_ls.fixes.model import Edit, Fix, apply
from hscale_ls.fixes.style import ParsedSource

__all__ = ["FixSession", "read_disk"]

log = logging.getLogger("hscale_ls")
MAX_ROUNDS = 100


@dataclass(slots=True)
class FixSession:
    """Pending content of every file a fix touched, over what is on disk."""

    live: LiveWorkspace
    read_base: Callable[[str], bytes | None] = read_disk
    contents: dict[str, bytes] = field(default_factory=dict)
    originals: dict[str, bytes | None] = field(default_factory=dict)
    applied: list[str] = field(default_factory=list)  # titles of the fixes applied, in order
    notes: dict[str, str] = field(default_factory=dict)  # title -> what that applied fix does not do
    # the tree being fixed: files outside it (or reached through a symlink that leaves it) are not
    # written; None only where nothing is ever written (previews)
    boundary: str | None = None
    refused: list[tuple[str, Refusal]] = field(default_factory=list)  # fix title, the file it could not write

    def read(self, path: str) -> bytes | None:
        if path in self.contents:
            return self.contents[path]
        document = self.live.documents.get(path)
        if document is not None:
            return document.source
        return self.read_base(path)

    def context(self, finding: object) -> FixContext:
        root = self.live.project_of(finding.path)  # type: ignore[attr-defined]
        members = [f for f in (self.live.facts_of(p) for p in self.live.members(root)) if f is not None]
        return FixContext(finding, root, tuple(members), self.read)  # type: ignore[arg-type]

    def apply_fix(self, fix: Fix) -> bool:
        """Apply one fix to the pending contents, unless it would make any file parse worse."""
        staged: dict[str, bytes] = {}
        for path in fix.paths():
            if self.boundary is not None and (reason := refusal(path, self.boundary)) is not None:
                self.refused.append((fix.title, Refusal(path, reason)))
                return False
            edits: list[Edit] = [e for e in fix.edits if e.path == path]
            before = self.read(path)
            after = apply(before or b"", edits)
            if language_for_path(path) is not None:
                errors_before = ParsedSource.of(path, before).has_errors() if before else 0
                if ParsedSource.of(path, after).has_errors() > errors_before:
                    log.warning("not applying %r: %s would no longer parse", fix.title, path)
                    return False
            manifest_before = manifest_errors(path, before) if before is not None else 0
            manifest_after = manifest_errors(path, after)
            if manifest_after is not None and manifest_after > (manifest_before or 0):
                log.warning("not applying %r: %s would no longer parse", fix.title, path)
                return False
            staged[path] = after
        for path, content in staged.items():
            self.originals.setdefault(path, self.read(path))
            self.contents[path] = content
            language = language_for_path(path)
            if language is not None:
                self.live.open(path, language, 0, content.decode("utf-8", errors="replace"))
        self.applied.append(fix.title)
        if fix.note:
            self.notes[fix.title] = fix.note
        return True

    def run(self, unsafe: bool = False, only: Callable[[str], bool] = lambda path: True) -> int:
        """Apply fixes (safe ones, plus rewrites when `unsafe`) until none applies. Returns how many."""
        # a finding gets one fix: if it is still there afterwards, the fix did not cover it (never loop)
        refused: set[tuple[str, str, str]] = set()
        for _ in range(MAX_ROUNDS):
            progressed = False
            for root in self.live.projects():
                for finding in self.live.result(root).findings:
                    if not only(finding.path):
                        continue
                    key = (finding.path, finding.rule, finding.name)
                    if key in refused:
                        continue
                    candidates = [
                        f for f in fixes_for(self.context(finding)) if f.kind == "fix" and (f.safe or unsafe)
                    ]
                    if not candidates:
                        continue
                    refused.add(key)
                    if self.apply_fix(candidates[0]):
                        progressed = True
                        break
                if progressed:
                    break
            if not progressed:
                break
        return len(self.applied)

    def changed(self) -> dict[str, bytes]:
        return {p: c for p, c in self.contents.items() if self.originals.get(p) != c}

    def diff(self, display: Callable[[str], str] = os.path.relpath) -> str:
        chunks: list[str] = []
        for path, content in sorted(self.changed().items()):
            before = (
                (self.originals.get(path) or b"").decode("utf-8", errors="replace").splitlines(keepends=True)
            )
            after = content.decode("utf-8", errors="replace").splitlines(keepends=True)
            name = display(path)
            source = "/dev/null" if self.originals.get(path) is None else f"a/{name}"
            chunks.extend(difflib.unified_diff(before, after, source, f"b/{name}"))
        return "".join(chunks)

    def write(self) -> list[str]:
        """Write every changed file, or none (raises `files.WriteRefused` saying which and why)."""
        return write_all(self.changed(), self.originals, self.boundary)
