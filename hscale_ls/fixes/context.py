"""What a fix may look at: the finding, its project's facts and a reader for file contents (open
editor buffers override the disk). Fixes never write; they return edits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hscale_ls.analysis.facts import FileFacts, ServerSite, StateContainer
from hscale_ls.analysis.project import Finding


@dataclass(frozen=True, slots=True)
class FixContext:
    finding: Finding
    root: str
    files: tuple[FileFacts, ...]
    read: Callable[[str], bytes | None]
    # only which fixes apply: each builder stops after its last check, with a fix that has no edits
    titles_only: bool = False

    def paths(self) -> list[str]:
        return [f.path for f in self.files]

    def facts(self, path: str) -> FileFacts | None:
        return next((f for f in self.files if f.path == path), None)

    def server(self) -> ServerSite | None:
        facts = self.facts(self.finding.path)
        if facts is None:
            return None
        return next((s for s in facts.servers if s.span.start_byte == self.finding.span.start_byte), None)

    def container(self) -> StateContainer | None:
        """The container the finding is about (declared at the finding's position)."""
        facts = self.facts(self.finding.path)
        if facts is None:
            return None
        return next((c for c in facts.containers if c.span.start_byte == self.finding.span.start_byte), None)

    def server_options(self) -> frozenset[str]:
        server = self.server()
        return server.options if server is not None else frozenset()
