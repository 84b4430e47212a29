"""Pulled diagnostics (textDocument/diagnostic, workspace/diagnostic), registered at initialize only
for clients that pull and accept refresh requests (see capabilities.py); others get them pushed by
the analysis that every edit schedules (HscaleServer.publish)."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from hscale_ls.analysis.live import result_id
from hscale_ls.server import convert
from hscale_ls.server.server import HscaleServer, document_path


async def text_document_diagnostic(ls: HscaleServer, params: types.DocumentDiagnosticParams) -> Any:
    await ls.indexed(timeout=2.0)  # past that, answer now; a refresh follows when indexing ends
    path = document_path(params.text_document.uri)
    items = ls.diagnostics(path) if path else []
    rid = result_id(items)
    if path is not None:
        ls.published[path] = rid
    return convert.document_report(items, rid, params.previous_result_id)


async def workspace_diagnostic(
    ls: HscaleServer, params: types.WorkspaceDiagnosticParams
) -> types.WorkspaceDiagnosticReport:
    await ls.indexed()
    previous = {p.uri: p.value for p in params.previous_result_ids}
    reports = []
    for path in ls.live.all_paths():
        uri = ls.uri_of(path)
        items = ls.diagnostics(path)
        document = ls.live.documents.get(path)
        version = document.version if document else None
        reports.append(convert.workspace_report(uri, version, items, result_id(items), previous.get(uri)))
    return convert.workspace_diagnostics(reports)
