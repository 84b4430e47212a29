"""Fixes as protocol values: byte-offset edits become a WorkspaceEdit in the negotiated position
encoding, and fixes become code actions. Beside convert.py, the only module that builds them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from lsprotocol import types

from hscale_ls.analysis.text import LineIndex
from hscale_ls.fixes import Fix
from hscale_ls.fixes.model import Edit
from hscale_ls.server.capabilities import ClientCaps
from hscale_ls.server.convert import range_of

QUICKFIX = "quickfix.hscale"
FIX_ALL = "source.fixAll.hscale"
KINDS = [types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll, FIX_ALL]

Reader = Callable[[str], bytes | None]


def workspace_edit(
    edits: list[Edit],
    read: Reader,
    encoding: str,
    caps: ClientCaps,
    uri_of: Callable[[str], str],
    versions: Mapping[str, int],
) -> types.WorkspaceEdit | None:
    """Byte-offset edits as a WorkspaceEdit (documentChanges when the client takes them, so new files
    can be created); None when the edits create a file and the client cannot."""
    by_path: dict[str, list[Edit]] = {}
    for edit in edits:
        by_path.setdefault(edit.path, []).append(edit)
    if any(edit.create for edit in edits) and not caps.create_files:
        return None
    document_changes: list[Any] = []
    changes: dict[str, list[types.TextEdit]] = {}
    for path, path_edits in by_path.items():
        uri = uri_of(path)
        creates = any(e.create for e in path_edits)
        index = LineIndex(b"" if creates else (read(path) or b""))
        text_edits = [
            types.TextEdit(
                range=range_of(index.span(e.start_byte, e.end_byte), encoding), new_text=e.new_text
            )
            for e in sorted(path_edits, key=lambda e: e.start_byte)
        ]
        if creates:
            document_changes.append(
                types.CreateFile(uri=uri, options=types.CreateFileOptions(ignore_if_exists=True))
            )
        document_changes.append(
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(
                    uri=uri, version=versions.get(path)
                ),
                edits=text_edits,
            )
        )
        changes[uri] = text_edits
    if caps.document_changes:
        return types.WorkspaceEdit(document_changes=document_changes)
    return types.WorkspaceEdit(changes=changes)


def quick_fix(
    fix: Fix, diagnostic: types.Diagnostic, uri: str, index: int, edit: types.WorkspaceEdit | None
) -> types.CodeAction:
    """One fix offered for one diagnostic; `edit` None leaves it to codeAction/resolve."""
    title = fix.title if fix.safe or fix.kind != "fix" else f"{fix.title} (unsafe: rewrites code)"
    start = diagnostic.range.start
    return types.CodeAction(
        title=title,
        kind=QUICKFIX,
        diagnostics=[diagnostic],
        is_preferred=fix.preferred or None,
        data={
            "uri": uri,
            "index": index,
            "rule": str(diagnostic.code),
            "range": [start.line, start.character],
        },
        edit=edit,
    )


def fix_all(edit: types.WorkspaceEdit) -> types.CodeAction:
    return types.CodeAction(title="Fix all safe hscale findings", kind=FIX_ALL, edit=edit)
