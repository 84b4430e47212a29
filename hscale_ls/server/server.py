"""The hscale language server: its state (live workspace, settings, what was published) and the
operations the handlers share (analyse, publish, index, load settings). The handlers themselves live
one module per concern and are registered from the table in features.py.
"""

from __future__ import annotations

import asyncio
import fnmatch
import gc
import logging
import os
import sys
import threading
import uuid
from collections.abc import Iterable
from typing import Any, BinaryIO

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer

from hscale_ls import __version__
from hscale_ls.analysis.cache import FactsCache
from hscale_ls.analysis.file_kinds import kind_for_path
from hscale_ls.analysis.file_kinds import watch_globs as settings_watch_globs
from hscale_ls.analysis.languages import (
    LSP_LANGUAGE_IDS,
    LanguageId,
    language_for_path,
    manifests,
    project_markers,
    source_glob,
)
from hscale_ls.analysis.live import LiveDocument, LiveWorkspace, result_id
from hscale_ls.analysis.project import Finding
from hscale_ls.report import audits_json
from hscale_ls.server import convert
from hscale_ls.server.capabilities import ClientCaps
from hscale_ls.server.protocol import HscaleProtocol
from hscale_ls.server.settings import Settings, parse
from hscale_ls.server.transport import FramingError, StdinMessages, serve
from hscale_ls.server.uris import to_path, to_uri

log = logging.getLogger("hscale_ls")

# what the language table says marks a project (manifests), and our own configuration
WATCHED_CONFIG = (".hscale.toml", *project_markers())
WATCH_GLOBS = (
    source_glob(),
    "**/.hscale.toml",
    *(f"**/{name}" for name in manifests()),
    "**/.gitignore",
    *settings_watch_globs(),  # the table of settings file kinds (Procfile, Compose, Kubernetes, ...)
)


class HscaleServer(LanguageServer):
    protocol: HscaleProtocol

    def __init__(self, cache_dir: str | None = None) -> None:
        super().__init__("hscale-ls", __version__, protocol_cls=HscaleProtocol)
        self.live = LiveWorkspace()
        self.live.max_bytes_for = lambda path: self.settings_for(path).maxFileBytes
        self.cache_dir = cache_dir  # facts cache for the workspace index (None: no cache)
        self.caps = ClientCaps()
        self.init_settings = Settings()
        self.folder_settings: dict[str, Settings] = {}
        self.uris: dict[str, str] = {}  # path -> the URI the client used for it
        self.published: dict[str, str] = {}  # path -> result id of the last diagnostics sent
        self.timers: dict[str, asyncio.TimerHandle] = {}
        self.indexing: asyncio.Task[None] | None = None
        self.ready = asyncio.Event()  # set once the first workspace index is complete
        self.warned: set[str] = set()
        # open documents too large to analyse: their text is kept (not parsed) and follows every edit,
        # so an edit that brings one under the limit has it analysed again
        self.oversized: dict[str, LiveDocument] = {}
        self.framing_error: str | None = None  # why the input stream could not be read on
        self.stopped = threading.Event()  # set by `shutdown()`: the stdio loop stops reading
        self.encoding = "utf-16"  # the position encoding negotiated at initialize

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """Serve over stdio until the input ends, `exit`, or a framing error (see transport.py)."""
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        messages = StdinMessages(stdin or sys.stdin.buffer, self.thread_pool)
        try:
            asyncio.run(serve(messages, self.protocol, self.report_error, self.stopped.is_set))
        except FramingError as error:
            self.framing_error = str(error)
            log.error("framing error on stdin: %s; closing so that the client can restart the server", error)
        except BrokenPipeError:
            log.error("the client closed the connection; shutting down")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()

    def shutdown(self) -> None:
        self.stopped.set()
        super().shutdown()  # type: ignore[no-untyped-call]

    def report_error(self, error: Exception, source: type[JsonRpcException]) -> None:
        """An error outside any handler, shown to the client as pygls shows it; reporting never raises."""
        try:
            self.report_server_error(error, source)
        except Exception:
            log.warning("could not report an error to the client: %s", error)

    # --- helpers ------------------------------------------------------------------------------

    def settings_for(self, path: str) -> Settings:
        return self.folder_settings.get(self.live.folder_of(path), self.init_settings)

    def uri_of(self, path: str) -> str:
        return self.uris.get(path) or to_uri(path)

    def warn_once(self, message: str) -> None:
        if message in self.warned:
            return
        self.warned.add(message)
        log.warning(message)
        self.window_show_message(convert.warning_message(message))

    def findings(self, path: str) -> list[Finding]:
        """Findings for one file; an analysis failure is logged and yields none."""
        if not self.settings_for(path).enable:
            return []
        try:
            return self.live.findings_for(path)
        except Exception:
            log.exception("analysis of %s failed; leaving it without diagnostics", path)
            return []

    def diagnostics(self, path: str) -> list[types.Diagnostic]:
        found = self.findings(path)
        if not self.ready.is_set():
            # The first index is still reading the workspace. A finding about what the whole project
            # lacks (a server with no adapter anywhere) could be contradicted by a file not read yet:
            # it waits for the index rather than appear now and vanish when the adapter is read.
            found = [f for f in found if f.container_kind]
        return [convert.diagnostic(f, self.encoding, self.caps) for f in found]

    # --- documents over hscale.maxFileBytes --------------------------------------------------------

    def hold_oversized(self, path: str, language: LanguageId, version: int, text: str) -> None:
        if path in self.live.documents:  # reopened larger than the limit: stop analysing it
            self.live.close(path)
            self.published.pop(path, None)
        document = LiveDocument(path, language, version, text.encode("utf-8", "surrogatepass"))
        document.incremental = False  # never parsed while held
        self.oversized[path] = document

    def admit_if_small(self, path: str, uri: str) -> None:
        """Analyse a held document once its edits bring it within hscale.maxFileBytes."""
        document = self.oversized[path]
        limit = self.settings_for(path).maxFileBytes
        if len(document.source) > limit:
            return
        del self.oversized[path]
        log.info("analysing %s again: within hscale.maxFileBytes (%d bytes) after an edit", path, limit)
        self.uris[path] = uri
        text = document.source.decode("utf-8", "surrogatepass")
        self.live.open(path, document.language, document.version, text)
        self.published.pop(path, None)
        self.schedule(path, 0)

    # --- diagnostics: push and refresh -------------------------------------------------------

    def schedule(self, path: str, delay_ms: int) -> None:
        timer = self.timers.pop(path, None)
        if timer is not None:
            timer.cancel()
        if delay_ms <= 0:
            self.analyse(path)
            return
        loop = asyncio.get_running_loop()
        self.timers[path] = loop.call_later(delay_ms / 1000, self.analyse, path)

    def analyse(self, path: str) -> None:
        """Publish the document's diagnostics for its current version, then every other open
        document of the project whose diagnostics changed."""
        self.timers.pop(path, None)
        document = self.live.documents.get(path)
        if document is None:
            return
        self.publish(path, force=True)
        self.publish_changed(exclude={path})

    def publish(self, path: str, force: bool = False) -> bool:
        document = self.live.documents.get(path)
        if document is None:
            return False
        version = document.version
        diagnostics = self.diagnostics(path)
        rid = result_id(diagnostics)
        if not force and self.published.get(path) == rid:
            return False
        self.published[path] = rid
        if self.caps.pull_diagnostics:
            return True
        if self.live.documents.get(path) is not document or document.version != version:
            return False  # never publish results for a stale version
        self.text_document_publish_diagnostics(convert.published(self.uri_of(path), version, diagnostics))
        return True

    def publish_changed(self, exclude: Iterable[str] = ()) -> None:
        skip = set(exclude)
        changed = False
        for path in list(self.live.documents):
            if path not in skip and path not in self.timers:
                changed = self.publish(path) or changed
        if changed and self.caps.pull_diagnostics:
            self.workspace_diagnostic_refresh(None)

    # --- workspace indexing -------------------------------------------------------------------

    async def index(self, folders: list[str]) -> None:
        token = str(uuid.uuid4())
        progress = self.caps.work_done_progress
        if progress:
            try:
                await self.work_done_progress.create_async(token)
                self.work_done_progress.begin(token, convert.progress_begin("hscale: indexing"))
            except Exception:
                log.warning("the client refused a progress token; indexing without progress")
                progress = False
        done_total = [0, 0]

        def report(done: int, total: int) -> None:
            done_total[:] = [done, total]

        from_cache = 0
        for folder in folders:
            try:
                loop = asyncio.get_running_loop()
                paths = await loop.run_in_executor(None, self._discover, folder)
                cache = await loop.run_in_executor(None, self._open_cache, folder)
                for done, path in enumerate(paths, 1):
                    if path not in self.live.documents:
                        self.refresh_from_disk(path, cache)
                    else:
                        self.live.changed(path)
                    report(done, len(paths))
                    if progress and (done % 25 == 0 or done == len(paths)):
                        self.work_done_progress.report(token, convert.progress_report(done, len(paths)))
                    if done % 10 == 0:
                        await asyncio.sleep(0)  # stay responsive while indexing
                if cache is not None:
                    from_cache += cache.hits
                    await loop.run_in_executor(None, cache.save)
            except Exception:
                log.exception("indexing %s failed", folder)
        if progress:
            self.work_done_progress.end(token, convert.progress_end(f"{done_total[1]} files indexed"))
        log.info("indexed %d files in %d folder(s), %d of them from the facts cache",
                 len(self.live.disk), len(folders), from_cache)  # fmt: skip
        # The indexed facts live as long as the session: keep the cyclic collector from walking them on
        # every full collection (a pause of 10 ms and more in the middle of a keystroke's analysis).
        # They hold no reference cycles, so replaced facts are still freed by reference counting.
        gc.collect()
        gc.freeze()
        self.ready.set()
        for message in self.live.config_errors:
            self.warn_once(message)
        self.publish_changed()

    def refresh_from_disk(self, path: str, cache: FactsCache | None = None) -> None:
        """Read a closed file again; one that cannot be analysed gets a log line saying why."""
        skipped = self.live.refresh_from_disk(path, cache)
        if skipped is not None:
            log.info("not analysing %s: %s", skipped.path, skipped.reason)

    def _open_cache(self, folder: str) -> FactsCache | None:
        """The facts cache of a workspace folder, as `check` keeps one per target: files that did not
        change since the last session are not parsed again. A damaged cache file is ignored."""
        if self.cache_dir is None:
            return None
        cache = FactsCache(self.cache_dir, folder, [folder, *self.live.folders])  # never inside one
        if cache.problem is not None:
            log.warning("%s: indexing without it", cache.problem)
            return None
        return cache

    def _discover(self, folder: str) -> list[str]:
        """The files of a workspace folder, found as `check FOLDER` finds them."""
        from hscale_ls.analysis.projects import discover

        if folder not in self.live.folders:
            self.live.folders.append(folder)
        found = discover(
            [folder], self.live._configs, max_bytes=self.settings_for(folder + os.sep).maxFileBytes
        )
        paths = sorted(found.roots)
        for skipped in found.skipped:
            if skipped.reason.startswith(
                ("larger than", "binary", "cannot be read", "not a regular", "symbolic link")
            ):
                log.info("not analysing %s: %s", skipped.path, skipped.reason)
        return paths

    async def indexed(self, timeout: float | None = None) -> None:
        """Wait for the background index (at most `timeout` seconds)."""
        if not self.ready.is_set():
            try:
                await asyncio.wait_for(self.ready.wait(), timeout)
            except asyncio.TimeoutError:
                log.info("answering before the workspace index is complete")

    # --- settings -----------------------------------------------------------------------------

    async def load_settings(self) -> None:
        folders = list(self.live.folders)
        if self.caps.configuration and folders:
            try:
                answers = await self.workspace_configuration_async(
                    convert.configuration_request(folders, "hscale")
                )
            except Exception:
                log.warning("workspace/configuration failed; using initializationOptions")
                answers = [None] * len(folders)
            for folder, answer in zip(folders, answers or [], strict=False):
                self.apply_settings(folder, answer)
        self.live.reset_configuration(
            {folder: s.config for folder, s in self.folder_settings.items() if s.config}
            or ({f: self.init_settings.config for f in folders} if self.init_settings.config else {})
        )
        self.configure_logging()

    def apply_settings(self, folder: str, raw: Any) -> None:
        if raw is None or raw == {} or raw == [None]:
            self.folder_settings[folder] = self.init_settings
            return
        settings, errors = parse(raw)
        for message in errors:
            self.warn_once(message)
        self.folder_settings[folder] = settings

    def configure_logging(self) -> None:
        level = self.init_settings.logLevel
        for settings in self.folder_settings.values():
            level = settings.logLevel
        log.setLevel(
            {"error": logging.ERROR, "warning": logging.WARNING, "debug": logging.DEBUG}.get(
                level, logging.INFO
            )
        )

    # --- lookups ------------------------------------------------------------------------------

    def finding_at(self, path: str, position: types.Position) -> Finding | None:
        for finding in self.findings(path):
            start, end = (
                convert.range_of(finding.span, self.encoding).start,
                convert.range_of(finding.span, self.encoding).end,
            )
            after_start = (position.line, position.character) >= (start.line, start.character)
            before_end = (position.line, position.character) <= (end.line, end.character)
            if after_start and before_end:
                return finding
        return None

    def audit_payload(self, path: str | None) -> dict[str, Any]:
        return audits_json(self.live.audits(path), self.live.shown_from())


def document_path(uri: str) -> str | None:
    path = to_path(uri)
    if path is None or language_for_path(path) is None:
        return None
    return path


def language_of(path: str, language_id: str) -> Any:
    return LSP_LANGUAGE_IDS.get(language_id) or language_for_path(path)


def settings_path(uri: str) -> str | None:
    """The path of a settings file (a kind of the table in `analysis/file_kinds.py`), else None."""
    path = to_path(uri)
    if path is None or language_for_path(path) is not None or kind_for_path(path) is None:
        return None
    return path


def watched_file_kind(path: str) -> str:
    name = os.path.basename(path)
    if any(fnmatch.fnmatchcase(name, pattern) for pattern in WATCHED_CONFIG) or name == ".gitignore":
        return "config"
    if language_for_path(path):
        return "source"
    return "settings" if kind_for_path(path) is not None else "other"
