"""Document sync and watched files: the editor's buffers and the files on disk feed the live workspace,
and each change schedules the analysis that publishes diagnostics."""

from __future__ import annotations

from lsprotocol import types

from hscale_ls.server import convert
from hscale_ls.server.server import (
    HscaleServer,
    document_path,
    language_of,
    log,
    settings_path,
    watched_file_kind,
)
from hscale_ls.server.uris import to_path


def text_document_did_open(ls: HscaleServer, params: types.DidOpenTextDocumentParams) -> None:
    item = params.text_document
    path = document_path(item.uri)
    if path is None:
        settings = settings_path(item.uri)
        if settings is not None:  # a settings file: its facts follow the buffer, nothing to publish
            ls.live.open_settings(settings, item.version, item.text)
            ls.live.changed(settings)
        return
    limit = ls.settings_for(path).maxFileBytes
    if len(item.text.encode("utf-8", "surrogatepass")) > limit:
        log.info("not analysing %s: larger than hscale.maxFileBytes (%d bytes)", path, limit)
        ls.hold_oversized(path, language_of(path, item.language_id), item.version, item.text)
        return
    ls.oversized.pop(path, None)
    ls.uris[path] = item.uri
    ls.live.open(path, language_of(path, item.language_id), item.version, item.text)
    ls.published.pop(path, None)
    ls.schedule(path, 0)


def text_document_did_change(ls: HscaleServer, params: types.DidChangeTextDocumentParams) -> None:
    path = document_path(params.text_document.uri) or settings_path(params.text_document.uri)
    document = (
        (ls.live.documents.get(path) or ls.oversized.get(path) or ls.live.setting_documents.get(path))
        if path
        else None
    )
    if path is None or document is None:
        log.warning("didChange for %s, which is not open; ignored", params.text_document.uri)
        return
    if params.text_document.version < document.version:
        log.warning("didChange version %d after %d for %s; ignored", params.text_document.version,
                    document.version, path)  # fmt: skip
        return
    for change in params.content_changes:
        if isinstance(change, types.TextDocumentContentChangePartial):
            start, end = change.range.start, change.range.end
            document.edit((start.line, start.character), (end.line, end.character), change.text, ls.encoding)
        else:
            document.replace(change.text, document.version)
    document.version = params.text_document.version
    if path in ls.live.setting_documents:
        ls.live.changed(path)  # no rule reads settings on their own: nothing to publish for them
        return
    if path in ls.oversized:
        ls.admit_if_small(path, params.text_document.uri)
        return
    ls.live.changed(path)
    settings = ls.settings_for(path)
    if settings.run == "onType":
        ls.schedule(path, settings.debounceMs)


def text_document_did_save(ls: HscaleServer, params: types.DidSaveTextDocumentParams) -> None:
    path = document_path(params.text_document.uri)
    if path is not None and path in ls.live.documents:
        ls.schedule(path, 0)


def text_document_did_close(ls: HscaleServer, params: types.DidCloseTextDocumentParams) -> None:
    path = document_path(params.text_document.uri)
    if path is None:
        settings = settings_path(params.text_document.uri)
        if settings is not None and settings in ls.live.setting_documents:
            ls.live.close(settings)  # back to what is on disk
        return
    timer = ls.timers.pop(path, None)
    if timer is not None:
        timer.cancel()
    ls.oversized.pop(path, None)
    ls.live.close(path)
    ls.published.pop(path, None)
    if not ls.caps.pull_diagnostics:
        ls.text_document_publish_diagnostics(convert.published(params.text_document.uri, None, []))
    ls.publish_changed()


def workspace_did_change_watched_files(ls: HscaleServer, params: types.DidChangeWatchedFilesParams) -> None:
    reconfigure = False
    for event in params.changes:
        path = to_path(event.uri)
        if path is None:
            continue
        kind = watched_file_kind(path)
        if kind == "config":
            reconfigure = True
        elif kind in ("source", "settings") and path not in ls.live.documents:
            if path in ls.live.setting_documents:
                continue  # the open buffer, not the disk, is what counts while it is open
            if event.type == types.FileChangeType.Deleted:
                ls.live.forget(path)
            elif ls.live.in_scope(path):
                ls.refresh_from_disk(path)
    if reconfigure:
        ls.live.reset_configuration()
        ls.warned.clear()
        for message in ls.live.config_errors:
            ls.warn_once(message)
    ls.publish_changed()
    if reconfigure and ls.caps.pull_diagnostics:
        ls.workspace_diagnostic_refresh(None)
