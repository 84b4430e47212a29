"""Code actions: the fixes of the `fixes` layer as quick fixes, `source.fixAll.hscale`, and lazy
edits through `codeAction/resolve` when the client supports it. Protocol values come from edit.py."""

from __future__ import annotations

import difflib

from lsprotocol import types

from hscale_ls.analysis.project import Finding
from hscale_ls.fixes import Fix, FixContext, fixes_for
from hscale_ls.fixes.model import Edit
from hscale_ls.fixes.session import FixSession, read_disk
from hscale_ls.server import convert, edit
from hscale_ls.server.server import HscaleServer, document_path, log


async def text_document_code_action(
    ls: HscaleServer, params: types.CodeActionParams
) -> list[types.CodeAction]:
    # Fixes read the whole project (an adapter set up elsewhere, the message model, the manifest):
    # right after start-up, give the index a moment rather than offer a fix chosen without them.
    await ls.indexed(timeout=2.0)
    path = document_path(params.text_document.uri)
    if path is None or not ls.settings_for(path).enable:
        return []
    only = params.context.only or []
    actions: list[types.CodeAction] = []
    if not only or any(str(k).startswith("quickfix") for k in only):
        for diagnostic in params.context.diagnostics:
            actions.extend(quick_fixes(ls, path, diagnostic, params.text_document.uri))
    if only and any(edit.FIX_ALL.startswith(str(k)) for k in only):
        action = fix_all(ls, path)
        if action is not None:
            actions.append(action)
    return actions


async def code_action_resolve(ls: HscaleServer, action: types.CodeAction) -> types.CodeAction:
    await ls.indexed(timeout=2.0)
    data = action.data if isinstance(action.data, dict) else {}
    uri = data.get("uri")
    path = document_path(uri) if isinstance(uri, str) else None
    if path is None or action.edit is not None:
        return action
    position = data.get("range") or [0, 0]
    for finding in ls.findings(path):
        start = convert.range_of(finding.span, ls.encoding).start
        if finding.rule == data.get("rule") and [start.line, start.character] == position:
            fixes = fixes_for(fix_context(ls, finding))
            index = int(data.get("index", 0))
            if index < len(fixes):
                action.edit = workspace_edit(ls, list(fixes[index].edits))
            break
    return action


def quick_fixes(
    ls: HscaleServer, path: str, diagnostic: types.Diagnostic, uri: str
) -> list[types.CodeAction]:
    """The fixes of the finding a diagnostic of ours stands for."""
    if diagnostic.source != convert.SOURCE:
        return []
    finding = next((f for f in ls.findings(path) if _matches(f, diagnostic, ls.encoding)), None)
    if finding is None:
        return []
    actions = []
    for index, fix in enumerate(fixes_at(ls, finding)):
        changes = None if ls.caps.resolve_edits else workspace_edit(ls, list(fix.edits))
        if ls.caps.resolve_edits or changes is not None:
            actions.append(edit.quick_fix(fix, diagnostic, uri, index, changes))
    return actions


def fixes_at(ls: HscaleServer, finding: Finding) -> list[Fix]:
    """The fixes offered for a finding; a fix builder that fails is logged and offers none."""
    try:
        return fixes_for(fix_context(ls, finding))
    except Exception:
        log.exception("computing fixes for %s failed", finding.name)
        return []


def fix_context(ls: HscaleServer, finding: Finding) -> FixContext:
    root = ls.live.project_of(finding.path)
    members = [f for f in (ls.live.facts_of(p) for p in ls.live.members(root)) if f is not None]
    return FixContext(finding, root, tuple(members), reader(ls))


def reader(ls: HscaleServer) -> edit.Reader:
    """Reads a file as the editor has it: the open document's text, else the file on disk."""

    def read(path: str) -> bytes | None:
        document = ls.live.documents.get(path)
        return document.source if document is not None else read_disk(path)

    return read


def workspace_edit(ls: HscaleServer, edits: list[Edit]) -> types.WorkspaceEdit | None:
    versions = {path: document.version for path, document in ls.live.documents.items()}
    return edit.workspace_edit(edits, reader(ls), ls.encoding, ls.caps, ls.uri_of, versions)


def _matches(finding: Finding, diagnostic: types.Diagnostic, encoding: str) -> bool:
    return (
        str(diagnostic.code) == finding.rule and convert.range_of(finding.span, encoding) == diagnostic.range
    )


def fix_all(ls: HscaleServer, path: str) -> types.CodeAction | None:
    """Every safe fix of one document, applied in sequence on a preview of the workspace."""
    session = FixSession(ls.live.fork(), read_base=reader(ls))
    try:
        session.run(unsafe=False, only=lambda p: p == path)
    except Exception:
        log.exception("fix-all for %s failed", path)
        return None
    if not session.changed():
        return None
    edits = []
    for changed, content in session.changed().items():
        original = session.originals.get(changed)
        if original is None:
            edits.append(Edit(changed, 0, 0, buffer_text(content), create=True))
        else:
            edits.extend(minimal_edits(changed, original, content))
    changes = workspace_edit(ls, edits)
    return edit.fix_all(changes) if changes is not None else None


def minimal_edits(path: str, before: bytes, after: bytes) -> list[Edit]:
    """The changes between two versions of a file as byte-range edits (common prefix/suffix trimmed
    per differing region)."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    old_starts = [0]
    for line in old:
        old_starts.append(old_starts[-1] + len(line))
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    return [
        Edit(path, old_starts[i1], old_starts[i2], buffer_text(b"".join(new[j1:j2])))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


def buffer_text(content: bytes) -> str:
    """Fixed content back as text. Buffers keep a lone surrogate as its surrogatepass bytes, which
    come back as the same surrogate; any other byte that is not UTF-8 becomes U+FFFD."""
    try:
        return content.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return content.decode("utf-8", "replace")
