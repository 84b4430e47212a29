"""Client capabilities reduced to the booleans the handlers need, once, at initialize."""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types


@dataclass(frozen=True, slots=True)
class ClientCaps:
    pull_diagnostics: bool = False  # the client pulls *and* can be told to pull again
    work_done_progress: bool = False
    watched_files_dynamic: bool = False
    configuration: bool = False
    related_information: bool = True
    code_description: bool = True
    markdown_hover: bool = True
    document_changes: bool = False  # WorkspaceEdit.documentChanges
    create_files: bool = False  # ... including CreateFile operations
    resolve_edits: bool = False  # codeAction/resolve may fill in `edit`


def reduce(caps: types.ClientCapabilities | None) -> ClientCaps:
    if caps is None:
        return ClientCaps()
    text = caps.text_document
    workspace = caps.workspace
    window = caps.window
    publish = text.publish_diagnostics if text else None
    hover = text.hover if text else None
    pulls = bool(text and text.diagnostic)
    # Without refresh support a pulling client never learns that a change in one file altered
    # another file's diagnostics, so such clients get pushed diagnostics instead.
    refresh = bool(workspace and workspace.diagnostics and workspace.diagnostics.refresh_support)
    watched = workspace.did_change_watched_files if workspace else None
    edit = workspace.workspace_edit if workspace else None
    code_action = text.code_action if text else None
    resolve = code_action.resolve_support if code_action else None
    return ClientCaps(
        pull_diagnostics=pulls and refresh,
        work_done_progress=bool(window and window.work_done_progress),
        watched_files_dynamic=bool(watched and watched.dynamic_registration),
        configuration=bool(workspace and workspace.configuration),
        related_information=bool(publish is None or publish.related_information is not False),
        code_description=bool(publish is None or publish.code_description_support is not False),
        markdown_hover=bool(
            hover is None or not hover.content_format or types.MarkupKind.Markdown in hover.content_format
        ),
        document_changes=bool(edit and edit.document_changes),
        create_files=bool(edit and edit.document_changes and "create" in (edit.resource_operations or [])),
        resolve_edits=bool(resolve and "edit" in resolve.properties),
    )
