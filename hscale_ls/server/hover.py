"""Hover on a finding: the rule's documentation, the project's verdict, and what each fix leaves to
the reader (`Fix.note`), which no code action can show."""

from __future__ import annotations

from lsprotocol import types

from hscale_ls.server import convert
from hscale_ls.server.code_actions import fixes_at
from hscale_ls.server.server import HscaleServer, document_path


def text_document_hover(ls: HscaleServer, params: types.HoverParams) -> types.Hover | None:
    path = document_path(params.text_document.uri)
    finding = ls.finding_at(path, params.position) if path else None
    if path is None or finding is None:
        return None
    audit = ls.live.result(ls.live.project_of(path)).audit
    notes = [(fix.title, fix.note) for fix in fixes_at(ls, finding) if fix.note]
    return convert.hover(finding, audit, ls.encoding, ls.caps, notes)
