"""The live view an editor needs: open documents parsed incrementally, a workspace indexed from disk.

Pure like the rest of the engine (no pygls): the language server feeds it edits and file events and
asks it for findings. Open documents override what is on disk. Settings files (`file_kinds`: Procfile,
Compose, Kubernetes...) are indexed and opened beside source files and reach each project's result.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tree_sitter import Point as TsPoint
from tree_sitter import Tree

from .cache import FactsCache
from .config import Config, ConfigResolver, from_mapping
from .engine import read_facts_through, read_settings_file, read_settings_through
from .extract import facts_from_tree
from .facts import FileFacts, SettingsFacts
from .file_kinds import kind_for_path, named_for_sure
from .languages import LanguageId, language_for_path, new_parser
from .project import Audit, ProjectMemo, ProjectResult, evaluate
from .projects import Discovery, discover, project_root, scan_folder
from .reuse import PendingEdit, leaves_touching, marker_near, reusable, shifted
from .scan_common import TooDeeplyNested
from .statements import StatementFacts
from .text import LineIndex
from .workspace import MAX_FILE_BYTES, FileWalker, ProjectLocator, Skipped, excluded_reason

KEEP_TREES = 16


def _single_line(text: bytes) -> bool:
    return b"\n" not in text and b"\r" not in text


@dataclass(slots=True)
class LiveDocument:
    """One open document: its bytes, its tree (edited in place, re-parsed lazily) and its facts."""

    path: str
    language: LanguageId
    version: int
    source: bytes
    tree: Tree | None = None
    index: LineIndex = field(init=False)
    facts: FileFacts | None = None
    incremental: bool = field(default_factory=lambda: os.environ.get("HSCALE_INCREMENTAL", "1") != "0")
    pending: PendingEdit | None = None  # one edit since the last facts, that may let them be reused
    reused: int = 0  # how many times facts were carried over an edit (for tests and benchmarks)
    statements: StatementFacts = field(default_factory=StatementFacts)  # facts per statement, once edited

    def __post_init__(self) -> None:
        self.index = LineIndex(self.source)

    def replace(self, text: str, version: int) -> None:
        self.source = text.encode("utf-8", "surrogatepass")
        self.index = LineIndex(self.source)
        self.version = version
        self.tree = None
        self.facts = None
        self.pending = None

    def edit(self, start: tuple[int, int], end: tuple[int, int], text: str, encoding: str) -> None:
        """Apply one ranged change (LSP line/character in `encoding`) to the bytes and the tree."""
        start_byte = self.index.offset(start[0], start[1], encoding)
        end_byte = max(start_byte, self.index.offset(end[0], end[1], encoding))
        new = text.encode("utf-8", "surrogatepass")
        start_point = self._ts_point(start_byte)
        old_end_point = self._ts_point(end_byte)
        old_source, old_index = self.source, self.index
        self.source = old_source[:start_byte] + new + old_source[end_byte:]
        new_end_byte = start_byte + len(new)
        self.index = old_index.edited(self.source, start_byte, end_byte, new_end_byte)
        if self.facts is not None and self.tree is not None and self.incremental and self.pending is None:
            line_delta = self.index.line_count - old_index.line_count
            self.pending = PendingEdit(
                start_byte,
                end_byte,
                new_end_byte,
                leaves_touching(self.tree.root_node, old_source, start_byte, end_byte),
                self.facts,
                marker_near(old_source, start_byte, end_byte),
                line_delta,
                # a CR and an LF the edit brings together (or apart) change the lines too
                _single_line(new) and _single_line(old_source[start_byte:end_byte]) and not line_delta,
            )
        else:
            self.pending = None  # a second edit before analysis: take the full path
        if self.tree is not None and self.incremental:
            self.tree.edit(
                start_byte=start_byte,
                old_end_byte=end_byte,
                new_end_byte=new_end_byte,
                start_point=start_point,
                old_end_point=old_end_point,
                new_end_point=self._ts_point(new_end_byte),
            )
        else:
            self.tree = None
            self.pending = None
        self.facts = None

    def _ts_point(self, offset: int) -> TsPoint:
        """Tree-sitter's (row, byte column) of `offset`: its rows end at LF only."""
        if self.index.bare_crs:
            row, column = (
                self.source.count(b"\n", 0, offset),
                offset - self.source.rfind(b"\n", 0, offset) - 1,
            )
        else:
            point = self.index.point(offset)
            row, column = point.line, point.byte
        ts_point: TsPoint = TsPoint(row, column)
        return ts_point

    def ensure_facts(self) -> FileFacts:
        if self.facts is None:
            parser = new_parser(self.language)
            old = self.tree
            self.tree = parser.parse(self.source, old) if old is not None else parser.parse(self.source)
            pending, self.pending = self.pending, None
            if pending is not None and old is not None and reusable(pending, old, self.tree, self.source):
                self.facts = shifted(pending, self.index, self.tree, self.source, self.language)
                self.reused += 1
            elif self.incremental and old is not None:
                # a document being edited: from its second analysis on, facts are kept per statement
                self.facts = self.statements.facts(
                    self.path, self.language, self.source, self.tree, self.index
                )
            else:
                self.facts = facts_from_tree(self.path, self.source, self.language, self.tree, self.index)
        return self.facts


@dataclass(slots=True)
class SettingsDocument:
    """One open settings file. Its bytes and line index follow each edit; its facts are read again from
    the bytes when next asked for: such files are small, and a fresh parse of one costs less than the
    analysis a keystroke in a source file already triggers."""

    path: str
    version: int
    source: bytes
    max_bytes: int = MAX_FILE_BYTES
    index: LineIndex = field(init=False)
    facts: SettingsFacts | Skipped | None = None
    read: bool = False  # whether `facts` are those of the current bytes

    def __post_init__(self) -> None:
        self.index = LineIndex(self.source)

    def replace(self, text: str, version: int) -> None:
        self.source = text.encode("utf-8", "surrogatepass")
        self.index = LineIndex(self.source)
        self.version = version
        self.read = False

    def edit(self, start: tuple[int, int], end: tuple[int, int], text: str, encoding: str) -> None:
        """Apply one ranged change (LSP line/character in `encoding`)."""
        start_byte = self.index.offset(start[0], start[1], encoding)
        end_byte = max(start_byte, self.index.offset(end[0], end[1], encoding))
        new = text.encode("utf-8", "surrogatepass")
        self.source = self.source[:start_byte] + new + self.source[end_byte:]
        self.index = self.index.edited(self.source, start_byte, end_byte, start_byte + len(new))
        self.read = False

    def ensure_facts(self) -> SettingsFacts | Skipped | None:
        """The facts of the current bytes; Skipped says why there are none (too large, binary, nested
        too deeply); None: not a settings file after all (its content shows it)."""
        if not self.read:
            self.facts = read_settings_file(self.path, self.source, self.max_bytes)
            self.read = True
        return self.facts


@dataclass(slots=True)
class LiveWorkspace:
    """Facts of every source file in the workspace folders, with open documents laid over them."""

    folders: list[str] = field(default_factory=list)
    settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # folder -> editor settings
    config_file: str | None = None  # one configuration file for everything (`--config`)
    cwd: str | None = None  # the command line's working directory (files named under it, see `projects`)
    disk: dict[str, FileFacts] = field(default_factory=dict)
    documents: dict[str, LiveDocument] = field(default_factory=dict)
    setting_files: dict[str, SettingsFacts] = field(default_factory=dict)  # settings files on disk
    setting_documents: dict[str, SettingsDocument] = field(default_factory=dict)  # open settings files
    skipped: dict[str, Skipped] = field(default_factory=dict)
    _configs: ConfigResolver = field(default_factory=ConfigResolver)
    _locator: ProjectLocator = field(default_factory=ProjectLocator)
    _config_cache: dict[str, Config] = field(default_factory=dict)
    _members: dict[str, set[str]] = field(default_factory=dict)  # project root -> paths
    _root_of: dict[str, str] = field(default_factory=dict)
    _results: dict[str, ProjectResult] = field(default_factory=dict)
    _memos: dict[str, ProjectMemo] = field(default_factory=dict)  # project root -> call graph, imports
    _recent: list[str] = field(default_factory=list)  # documents that keep their tree, latest first
    max_bytes_for: Callable[[str], int] = lambda _path: MAX_FILE_BYTES  # the server's hscale.maxFileBytes

    def __post_init__(self) -> None:
        if self.config_file is not None:
            self._configs = ConfigResolver(self.config_file)

    # --- membership ---------------------------------------------------------------------------

    def folder_of(self, path: str) -> str:
        return scan_folder(path, self.folders, self.cwd)

    def project_of(self, path: str) -> str:
        root = self._root_of.get(path)
        if root is None:
            root = project_root(self._locator, path, self.folders, self.cwd)
            self._root_of[path] = root
            self._members.setdefault(root, set()).add(path)
        return root

    def _touch(self, path: str) -> str:
        root = self.project_of(path)
        self._results.pop(root, None)
        return root

    def in_scope(self, path: str) -> bool:
        """Whether a document is analysed at all (tests, vendored trees and excluded paths are not)."""
        folder = self.folder_of(path)
        relative = os.path.relpath(path, folder)
        if relative.startswith(".."):
            relative = os.path.basename(path)
        if excluded_reason(tuple(relative.split(os.sep))) is not None:
            return False
        return not self.config_for(path).excludes(path)

    # --- configuration ------------------------------------------------------------------------

    def config_for(self, path: str) -> Config:
        directory = os.path.dirname(path)
        cached = self._config_cache.get(directory)
        if cached is None:
            base = self._configs.for_dir(directory)
            overlay = self.settings.get(self.folder_of(path), {})
            cached = from_mapping(overlay, "editor settings", base.root, base)[0] if overlay else base
            self._config_cache[directory] = cached
        return cached

    @property
    def config_errors(self) -> list[str]:
        return list(dict.fromkeys(self._configs.errors))

    def reset_configuration(self, settings: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        """After a config file, manifest or settings change: drop every derived cache."""
        if settings is not None:
            self.settings = settings
        self._configs = ConfigResolver(self.config_file)
        self._locator = ProjectLocator()
        self._config_cache.clear()
        self._results.clear()
        self._memos.clear()
        paths = list(self._root_of)
        self._root_of.clear()
        self._members.clear()
        for path in paths:
            self.project_of(path)

    # --- indexing -----------------------------------------------------------------------------

    def index_folder(self, folder: str, progress: Callable[[int, int], None] | None = None) -> int:
        folder = os.path.abspath(folder)
        if folder not in self.folders:
            self.folders.append(folder)
        walker = FileWalker(folder, self._configs, max_bytes=self.max_bytes_for(folder + os.sep))
        paths = list(walker.files())
        for skipped in walker.skipped:
            self.skipped[skipped.path] = skipped
        for done, path in enumerate(paths, 1):
            self.refresh_from_disk(path)
            if progress is not None:
                progress(done, len(paths))
        return len(paths)

    def index_targets(self, targets: Iterable[str]) -> Discovery:
        """Read the projects of the files and folders a command line named, as `check` groups them."""
        found = discover(targets, self._configs, self.cwd, self._locator)
        self.folders.extend(f for f in found.folders if f not in self.folders)
        for skipped in found.skipped:
            self.skipped[skipped.path] = skipped
        for path in sorted(found.roots):
            self.refresh_from_disk(path)
        return found

    def remove_folder(self, folder: str) -> None:
        folder = os.path.abspath(folder)
        self.folders = [f for f in self.folders if f != folder]
        for path in [
            p for p in (*self.disk, *self.setting_files) if p.startswith(folder.rstrip(os.sep) + os.sep)
        ]:
            self.forget(path)

    def refresh_from_disk(self, path: str, cache: FactsCache | None = None) -> Skipped | None:
        """Read a file's facts from disk again; what could not be read says why (and is returned)."""
        if language_for_path(path) is None and kind_for_path(path) is not None:
            return self._refresh_settings(path, cache)
        item = read_facts_through(cache, path, self.max_bytes_for(path), self.folder_of(path))
        if isinstance(item, Skipped):
            self.skipped[path] = item
            self.disk.pop(path, None)
        else:
            self.skipped.pop(path, None)
            self.disk[path] = item
        self._touch(path)
        return item if isinstance(item, Skipped) else None

    def _refresh_settings(self, path: str, cache: FactsCache | None) -> Skipped | None:
        item = read_settings_through(cache, path, self.max_bytes_for(path), self.folder_of(path))
        known = path in self.setting_files
        if isinstance(item, SettingsFacts):
            self.skipped.pop(path, None)
            self.setting_files[path] = item
            self._touch(path)
            return None
        self.setting_files.pop(path, None)
        self.skipped.pop(path, None)
        if known:
            self._touch(path)
        if item is None or not named_for_sure(path):
            return None  # any other YAML: not a settings file, or one whose failure is no news
        self.skipped[path] = item
        return item

    def forget(self, path: str) -> None:
        self.disk.pop(path, None)
        self.setting_files.pop(path, None)
        root = self._root_of.pop(path, None)
        if root is not None:
            self._members.get(root, set()).discard(path)
            self._results.pop(root, None)

    # --- documents ----------------------------------------------------------------------------

    def open(self, path: str, language: LanguageId, version: int, text: str) -> LiveDocument:
        document = LiveDocument(path, language, version, text.encode("utf-8", "surrogatepass"))
        self.documents[path] = document
        self._touch(path)
        self._keep_tree(path)
        return document

    def open_settings(self, path: str, version: int, text: str) -> SettingsDocument | None:
        """Open a settings file (None: its name is no settings file's). Edits go to the document
        (`edit` / `replace`), then `changed(path)`, as for a source document."""
        if kind_for_path(path) is None or language_for_path(path) is not None:
            return None
        source = text.encode("utf-8", "surrogatepass")
        document = SettingsDocument(path, version, source, self.max_bytes_for(path))
        self.setting_documents[path] = document
        self._touch(path)
        return document

    def changed(self, path: str) -> None:
        self._touch(path)
        if path in self.setting_documents:
            return
        self._keep_tree(path)

    def _keep_tree(self, path: str) -> None:
        """Trees cost far more memory than text: only the most recently edited documents keep theirs
        (for incremental re-parsing); the others re-parse in full on their next edit."""
        if path in self._recent:
            self._recent.remove(path)
        self._recent.insert(0, path)
        for stale in self._recent[KEEP_TREES:]:
            document = self.documents.get(stale)
            if document is not None:
                document.tree = None
                document.pending = None
                document.statements = StatementFacts()
        del self._recent[KEEP_TREES:]

    def close(self, path: str) -> None:
        self.documents.pop(path, None)
        self.setting_documents.pop(path, None)
        if path in self._recent:
            self._recent.remove(path)
        if os.path.lexists(path):
            self.refresh_from_disk(path)  # a FIFO, a link out of the folder or a huge file is skipped
        else:
            self.forget(path)

    def facts_of(self, path: str) -> FileFacts | None:
        document = self.documents.get(path)
        if document is not None:
            if not self.in_scope(path):
                return None
            try:
                return document.ensure_facts()
            except TooDeeplyNested as error:  # the rest of its project is still analysed
                self.skipped[path] = Skipped(path, str(error))
                return None
        return self.disk.get(path)

    def settings_of(self, path: str) -> SettingsFacts | None:
        """Facts of a settings file: of its open document, else from disk."""
        document = self.setting_documents.get(path)
        if document is None:
            return self.setting_files.get(path)
        if not self.in_scope(path):
            return None
        read = document.ensure_facts()
        if isinstance(read, Skipped):
            self.skipped[path] = read
            return None
        self.skipped.pop(path, None)
        return read

    # --- results ------------------------------------------------------------------------------

    def result(self, root: str) -> ProjectResult:
        cached = self._results.get(root)
        if cached is None:
            members = self.members(root)
            facts = [f for f in (self.facts_of(p) for p in members) if f is not None]
            kept = (
                self.setting_documents.keys() | self.setting_files.keys()
                if self.setting_files or self.setting_documents
                else ()
            )
            settings = [s for s in (self.settings_of(p) for p in members if p in kept) if s is not None]
            memo = self._memos.setdefault(root, ProjectMemo())
            cached = evaluate(root, facts, self.config_for, memo, settings)
            self._results[root] = cached
        return cached

    def findings_for(self, path: str) -> list[Any]:
        if not self.in_scope(path):
            return []
        return [f for f in self.result(self.project_of(path)).findings if f.path == path]

    def fork(self) -> LiveWorkspace:
        """A copy whose documents can be changed without touching this one (for previews)."""
        copy = LiveWorkspace(
            folders=list(self.folders),
            settings=self.settings,
            config_file=self.config_file,
            cwd=self.cwd,
            disk=dict(self.disk),
            documents=dict(self.documents),
            setting_files=dict(self.setting_files),
            setting_documents=dict(self.setting_documents),
        )
        copy._configs, copy._locator = self._configs, self._locator
        copy.max_bytes_for = self.max_bytes_for
        copy._config_cache = dict(self._config_cache)
        copy._members = {root: set(paths) for root, paths in self._members.items()}
        copy._root_of = dict(self._root_of)
        copy._results = dict(self._results)
        # shared: an evaluation brings a memo up to date with the facts it is given, whoever asks, so a
        # preview re-reads only the files it changed, and this workspace only those files afterwards
        copy._memos = self._memos
        copy._recent = list(self._recent)
        return copy

    def members(self, root: str) -> list[str]:
        return sorted(self._members.get(root, set()))

    def projects(self) -> list[str]:
        # a folder with settings files alone has nothing to evaluate them with
        return sorted(root for root, members in self._members.items() if any(map(language_for_path, members)))

    def audits(self, path: str | None = None) -> dict[str, Audit]:
        """The audit of `path`'s project, or of every project (in the order `hscale-ls audit` gives)."""
        roots = [self.project_of(path)] if path else self.projects()
        return {root: audit for root in roots if (audit := self.result(root).audit) is not None}

    def shown_from(self) -> str:
        """The folder paths are shown relative to, as `hscale-ls audit` run there shows them: the
        workspace folder, or the one that holds every workspace folder."""
        folders = self.folders or ([self.cwd] if self.cwd else [])
        return os.path.commonpath(folders) if folders else os.sep

    def all_paths(self) -> Iterable[str]:
        return sorted(set(self.disk) | set(self.documents))


def result_id(items: Iterable[object]) -> str:
    """A stable id for a diagnostics report, to answer `unchanged` when nothing moved."""
    digest = hashlib.sha256()
    for item in items:
        digest.update(repr(item).encode())
    return digest.hexdigest()[:16]
