"""Code actions: the fixes of the `fixes` layer as quick fixes, `source.fixAll.hscale`, and lazy
edits through `codeAction/resolve` when the client supports it."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from hscale_ls.analysis.project import Finding
from hscale_ls.analysis.text import LineIndex
from hscale_ls.fixes import Fix, FixContext, fixes_for
from hscale_ls.fixes.model import Edit
from hscale_ls.fixes.session import FixSession, read_disk
from hscale_ls.server import convert
from hscale_ls.server.server import HscaleServer, document_path, log
from hscale_ls.server.uris import to_uri

QUICKFIX = "quickfix.hscale"
FIX_ALL = "source.fixAll.hscale"
KINDS = [types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll, FIX_ALL]


def _context(ls: HscaleServer, finding: Finding) -> FixContext:
    root = ls.live.project_of(finding.path)
    members = [f for f in (ls.live.facts_of(p) for p in ls.live.members(root)) if f is not None]
    return FixContext(finding, root, tuple(members), _reader(ls))


def _reader(ls: HscaleServer) -> Any:
    def read(path: str) -> bytes | None:
        document = ls.live.documents.get(path)
        return document.source if document is not None else read_disk(path)

    return read


def _matches(finding: Finding, diagnostic: types.Diagnostic, encoding: str) -> bool:
    return (
        str(diagnostic.code) == finding.rule and convert.range_of(finding.span, encoding) == diagnostic.range
    )


def workspace_edit(ls: HscaleServer, edits: list[Edit], read: Any) -> types.WorkspaceEdit | None:
    """Byte-offset edits as a WorkspaceEdit in the negotiated encoding (documentChanges when the
    client takes them, so new files can be created)."""
    by_path: dict[str, list[Edit]] = {}
    for edit in edits:
        by_path.setdefault(edit.path, []).append(edit)
    creates = any(edit.create for edit in edits)
    if creates and not ls.caps.create_files:
        return None
    document_changes: list[Any] = []
    changes: dict[str, list[types.TextEdit]] = {}
    for path, path_edits in by_path.items():
        uri = ls.uri_of(path)
        current = b"" if any(e.create for e in path_edits) else (read(path) or b"")
        index = LineIndex(current)
        text_edits = [
            types.TextEdit(
                range=convert.range_of(index.span(e.start_byte, e.end_byte), ls.encoding), new_text=e.new_text
            )
            for e in sorted(path_edits, key=lambda e: e.start_byte)
        ]
        if any(e.create for e in path_edits):
            document_changes.append(
                types.CreateFile(uri=uri, options=types.CreateFileOptions(ignore_if_exists=True))
            )
        document = ls.live.documents.get(path)
        version = document.version if document is not None else None
        document_changes.append(
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
                edits=text_edits,
            )
        )
        changes[uri] = text_edits
    if ls.caps.document_changes:
        return types.WorkspaceEdit(document_changes=document_changes)
    return types.WorkspaceEdit(changes=changes)


def _action(
    ls: HscaleServer, fix: Fix, diagnostic: types.Diagnostic | None, uri: str, index: int, lazy: bool
) -> types.CodeAction | None:
    title = fix.title if fix.safe or fix.kind != "fix" else f"{fix.title} (unsafe: rewrites code)"
    action = types.CodeAction(
        title=title,
        kind=QUICKFIX,
        diagnostics=[diagnostic] if diagnostic is not None else None,
        is_preferred=fix.preferred or None,
        data={
            "uri": uri,
            "index": index,
            "rule": str(diagnostic.code) if diagnostic else "",
            "range": [diagnostic.range.start.line, diagnostic.range.start.character] if diagnostic else [],
        },
    )
    if not lazy:
        action.edit = workspace_edit(ls, list(fix.edits), _reader(ls))
        if action.edit is None:
            return None
    return action


def code_actions(ls: HscaleServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    path = document_path(params.text_document.uri)
    if path is None or not ls.settings_for(path).enable:
        return []
    only = params.context.only or []
    wants_quickfix = not only or any(str(k).startswith("quickfix") for k in only)
    wants_fix_all = not only or any(FIX_ALL.startswith(str(k)) for k in only)
    actions: list[types.CodeAction] = []
    lazy = ls.caps.resolve_edits
    if wants_quickfix:
        findings = ls.findings(path)
        for diagnostic in params.context.diagnostics:
            if diagnostic.source != convert.SOURCE:
                continue
            finding = next((f for f in findings if _matches(f, diagnostic, ls.encoding)), None)
            if finding is None:
                continue
            try:
                fixes = fixes_for(_context(ls, finding))
            except Exception:
                log.exception("computing fixes for %s failed", finding.name)
                continue
            for index, fix in enumerate(fixes):
                action = _action(ls, fix, diagnostic, params.text_document.uri, index, lazy)
                if action is not None:
                    actions.append(action)
    if wants_fix_all and only:
        action = fix_all(ls, path, params.text_document.uri)
        if action is not None:
            actions.append(action)
    return actions


def fix_all(ls: HscaleServer, path: str, uri: str) -> types.CodeAction | None:
    """Every safe fix of one document, applied in sequence on a preview of the workspace."""
    session = FixSession(ls.live.fork(), read_base=_reader(ls))
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
    edit = workspace_edit(ls, edits, _reader(ls))
    if edit is None:
        return None
    return types.CodeAction(title="Fix all safe hscale findings", kind=FIX_ALL, edit=edit)


def minimal_edits(path: str, before: bytes, after: bytes) -> list[Edit]:
    """The changes between two versions of a file as byte-range edits (common prefix/suffix trimmed
    per differing region)."""
    import difflib

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


def resolve(ls: HscaleServer, action: types.CodeAction) -> types.CodeAction:
    data = action.data if isinstance(action.data, dict) else {}
    uri = data.get("uri")
    path = document_path(uri) if isinstance(uri, str) else None
    if path is None or action.edit is not None:
        return action
    position = data.get("range") or [0, 0]
    for finding in ls.findings(path):
        start = convert.range_of(finding.span, ls.encoding).start
        if finding.rule == data.get("rule") and [start.line, start.character] == position:
            fixes = fixes_for(_context(ls, finding))
            index = int(data.get("index", 0))
            if index < len(fixes):
                action.edit = workspace_edit(ls, list(fixes[index].edits), _reader(ls))
            break
    return action


__all__ = ["KINDS", "code_actions", "resolve", "to_uri"]
