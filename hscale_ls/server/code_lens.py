"""Code lens: the project's horizontal-scaling verdict above every server it constructs."""

from __future__ import annotations

from lsprotocol import types

from hscale_ls.server import convert
from hscale_ls.server.server import HscaleServer, document_path, log


def text_document_code_lens(ls: HscaleServer, params: types.CodeLensParams) -> list[types.CodeLens]:
    path = document_path(params.text_document.uri)
    if path is None or not ls.settings_for(path).enable:
        return []
    try:
        facts = ls.live.facts_of(path)
        audit = ls.live.result(ls.live.project_of(path)).audit
    except Exception:  # a lens is decoration: without one the editor stays quiet
        log.exception("code lens for %s failed", path)
        return []
    if facts is None or audit is None:
        return []
    uri = params.text_document.uri
    return [convert.code_lens(server.span, audit, uri, ls.encoding) for server in facts.servers]
