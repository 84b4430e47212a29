"""One thin handler per LSP method, registered on a fresh server by `create_server`."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from lsprotocol import types

from hscale_ls.analysis.live import result_id
from hscale_ls.server import code_actions, convert
from hscale_ls.server.capabilities import reduce
from hscale_ls.server.server import (
    WATCH_GLOBS,
    HscaleServer,
    document_path,
    language_of,
    log,
    watched_file_kind,
)
from hscale_ls.server.settings import parse
from hscale_ls.server.uris import to_path, to_uri

DIAGNOSTIC_OPTIONS = types.DiagnosticOptions(
    identifier="hscale", inter_file_dependencies=True, workspace_diagnostics=True
)


class ClientLogHandler(logging.Handler):
    """Mirrors the server's log records to the client as window/logMessage."""

    def __init__(self, server: HscaleServer) -> None:
        super().__init__()
        self.server = server

    def emit(self, record: logging.LogRecord) -> None:
        try:
            level = {logging.ERROR: "error", logging.WARNING: "warning", logging.INFO: "info"}.get(
                record.levelno, "log"
            )
            self.server.window_log_message(
                types.LogMessageParams(type=convert.log_type(level), message=self.format(record))
            )
        except Exception:  # the client may be gone; logging must never raise
            pass


def create_server(cache_dir: str | None = None) -> HscaleServer:
    server = HscaleServer(cache_dir)
    handler = ClientLogHandler(server)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.addHandler(handler)

    @server.feature(types.INITIALIZE)
    def initialize(ls: HscaleServer, params: types.InitializeParams) -> None:
        ls.caps = reduce(params.capabilities)
        settings, errors = parse(params.initialization_options)
        ls.init_settings = settings
        for message in errors:
            ls.warn_once(message)
        folders = [to_path(f.uri) for f in params.workspace_folders or []]
        if not folders and params.root_uri:
            folders = [to_path(params.root_uri)]
        ls.live.folders = [f for f in folders if f]
        if ls.init_settings.config:
            ls.live.reset_configuration({f: ls.init_settings.config for f in ls.live.folders})
        if not ls.caps.pull_diagnostics:
            # advertised only to clients that pull and accept refresh requests (see capabilities.py)
            for method in (types.TEXT_DOCUMENT_DIAGNOSTIC, types.WORKSPACE_DIAGNOSTIC):
                ls.protocol.fm.features.pop(method, None)
                ls.protocol.fm.feature_options.pop(method, None)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: HscaleServer, params: types.InitializedParams) -> None:
        try:
            await ls.load_settings()
        except Exception:
            log.exception("reading settings failed; using the defaults")
        if ls.caps.watched_files_dynamic:
            try:
                await ls.client_register_capability_async(
                    types.RegistrationParams(
                        registrations=[
                            types.Registration(
                                id="hscale-watched-files",
                                method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                                register_options=types.DidChangeWatchedFilesRegistrationOptions(
                                    watchers=[types.FileSystemWatcher(glob_pattern=g) for g in WATCH_GLOBS]
                                ),
                            )
                        ]
                    )
                )
            except Exception:
                log.info("the client declined file watchers; closed files update when opened")
        ls.indexing = asyncio.ensure_future(ls.index(list(ls.live.folders)))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: HscaleServer, params: types.DidOpenTextDocumentParams) -> None:
        item = params.text_document
        path = document_path(item.uri)
        if path is None:
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

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: HscaleServer, params: types.DidChangeTextDocumentParams) -> None:
        path = document_path(params.text_document.uri)
        document = (ls.live.documents.get(path) or ls.oversized.get(path)) if path else None
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
                document.edit(
                    (start.line, start.character), (end.line, end.character), change.text, ls.encoding
                )
            else:
                document.replace(change.text, document.version)
        document.version = params.text_document.version
        if path in ls.oversized:
            ls.admit_if_small(path, params.text_document.uri)
            return
        ls.live.changed(path)
        settings = ls.settings_for(path)
        if settings.run == "onType":
            ls.schedule(path, settings.debounceMs)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: HscaleServer, params: types.DidSaveTextDocumentParams) -> None:
        path = document_path(params.text_document.uri)
        if path is not None and path in ls.live.documents:
            ls.schedule(path, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: HscaleServer, params: types.DidCloseTextDocumentParams) -> None:
        path = document_path(params.text_document.uri)
        if path is None:
            return
        timer = ls.timers.pop(path, None)
        if timer is not None:
            timer.cancel()
        ls.oversized.pop(path, None)
        ls.live.close(path)
        ls.published.pop(path, None)
        if not ls.caps.pull_diagnostics:
            ls.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
            )
        ls.publish_changed()

    @server.feature(types.TEXT_DOCUMENT_DIAGNOSTIC, DIAGNOSTIC_OPTIONS)
    async def document_diagnostic(ls: HscaleServer, params: types.DocumentDiagnosticParams) -> Any:
        await ls.indexed(timeout=2.0)  # past that, answer now; a refresh follows when indexing ends
        path = document_path(params.text_document.uri)
        items = ls.diagnostics(path) if path else []
        rid = result_id(items)
        if path is not None:
            ls.published[path] = rid
        if params.previous_result_id == rid:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=rid)
        return types.RelatedFullDocumentDiagnosticReport(items=items, result_id=rid)

    @server.feature(types.WORKSPACE_DIAGNOSTIC)
    async def workspace_diagnostic(ls: HscaleServer, params: types.WorkspaceDiagnosticParams) -> Any:
        await ls.indexed()
        previous = {p.uri: p.value for p in params.previous_result_ids}
        reports: list[Any] = []
        for path in ls.live.all_paths():
            uri = ls.uri_of(path)
            items = ls.diagnostics(path)
            rid = result_id(items)
            document = ls.live.documents.get(path)
            version = document.version if document else None
            if previous.get(uri) == rid:
                reports.append(
                    types.WorkspaceUnchangedDocumentDiagnosticReport(uri=uri, version=version, result_id=rid)
                )
            else:
                reports.append(
                    types.WorkspaceFullDocumentDiagnosticReport(
                        uri=uri, version=version, items=items, result_id=rid
                    )
                )
        return types.WorkspaceDiagnosticReport(items=reports)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: HscaleServer, params: types.HoverParams) -> types.Hover | None:
        path = document_path(params.text_document.uri)
        finding = ls.finding_at(path, params.position) if path else None
        if path is None or finding is None:
            return None
        audit = ls.live.result(ls.live.project_of(path)).audit
        return convert.hover(finding, audit, ls.encoding, ls.caps)

    @server.feature(types.TEXT_DOCUMENT_CODE_LENS)
    def code_lens(ls: HscaleServer, params: types.CodeLensParams) -> list[types.CodeLens]:
        path = document_path(params.text_document.uri)
        if path is None or not ls.settings_for(path).enable:
            return []
        try:
            facts = ls.live.facts_of(path)
            audit = ls.live.result(ls.live.project_of(path)).audit
        except Exception:
            log.exception("code lens for %s failed", path)
            return []
        if facts is None or audit is None:
            return []
        return [
            convert.code_lens(s.span, audit, params.text_document.uri, ls.encoding) for s in facts.servers
        ]

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=code_actions.KINDS, resolve_provider=True),
    )
    async def code_action(ls: HscaleServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        # Fixes read the whole project (an adapter set up elsewhere, the message model, the manifest):
        # right after start-up, give the index a moment rather than offer a fix chosen without them.
        await ls.indexed(timeout=2.0)
        return code_actions.code_actions(ls, params)

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def code_action_resolve(ls: HscaleServer, action: types.CodeAction) -> types.CodeAction:
        await ls.indexed(timeout=2.0)
        return code_actions.resolve(ls, action)

    @server.command("hscale.audit")
    def audit(ls: HscaleServer, *args: Any) -> dict[str, Any]:
        uri = args[0] if args and isinstance(args[0], str) else None
        path = to_path(uri) if uri else None
        return ls.audit_payload(path)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: HscaleServer, params: types.DidChangeConfigurationParams) -> None:
        pushed = params.settings
        if pushed and not ls.caps.configuration:
            for folder in ls.live.folders or [""]:
                ls.apply_settings(folder, pushed)
        await ls.load_settings()
        ls.published.clear()
        ls.publish_changed()
        if ls.caps.pull_diagnostics:
            ls.workspace_diagnostic_refresh(None)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: HscaleServer, params: types.DidChangeWatchedFilesParams) -> None:
        reconfigure = False
        for event in params.changes:
            path = to_path(event.uri)
            if path is None:
                continue
            kind = watched_file_kind(path)
            if kind == "config":
                reconfigure = True
            elif kind == "source" and path not in ls.live.documents:
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

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    async def did_change_workspace_folders(
        ls: HscaleServer, params: types.DidChangeWorkspaceFoldersParams
    ) -> None:
        for folder in params.event.removed:
            path = to_path(folder.uri)
            if path:
                ls.live.remove_folder(path)
        added = [p for p in (to_path(f.uri) for f in params.event.added) if p]
        await ls.load_settings()
        if added:
            await ls.index(added)
        ls.publish_changed()

    return server


__all__ = ["create_server", "to_uri"]
