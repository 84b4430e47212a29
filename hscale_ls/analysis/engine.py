"""Scan paths on disk: discover files and projects, extract facts (in parallel on large trees), evaluate.

This is what `hscale-ls check` and `audit` run; the language server uses the same pieces with
documents from the editor in place of files on disk.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from .cache import FactsCache, Key, read_keyed
from .config import ConfigResolver
from .facts import FileFacts, SettingsFacts
from .file_kinds import named_for_sure, read_settings
from .languages import language_for_path
from .project import Audit, Finding, evaluate
from .projects import discover
from .scan_common import TooDeeplyNested
from .sources import looks_binary, read_source
from .workspace import MAX_FILE_BYTES, Skipped

T = TypeVar("T")

PARALLEL_THRESHOLD = 64  # below this many files, worker start-up costs more than it saves
Progress = Callable[[int, int], None]


@dataclass(slots=True)
class ScanResult:
    findings: list[Finding] = field(default_factory=list)
    audits: dict[str, Audit] = field(default_factory=dict)  # project root -> audit
    files_scanned: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # configuration and read errors
    project_facts: dict[str, tuple[FileFacts, ...]] = field(default_factory=dict)  # root -> its files' facts
    # root -> facts of its settings files (`file_kinds`: Procfile, Compose, Kubernetes...)
    project_settings: dict[str, tuple[SettingsFacts, ...]] = field(default_factory=dict)
    roots: dict[str, str] = field(default_factory=dict)  # path -> project root

    def project_of(self, path: str) -> tuple[str, tuple[FileFacts, ...]]:
        root = self.roots[path]
        return root, self.project_facts[root]


def read_facts(
    path: str, source: bytes | None = None, max_bytes: int = MAX_FILE_BYTES, within: str | None = None
) -> FileFacts | Skipped:
    """Facts of one file on disk (or of `source`, its bytes already read); never raises (unreadable,
    oversized, binary or too deeply nested files come back as Skipped). `max_bytes` and `within` are
    those of `read_source`."""
    language = language_for_path(path)
    if language is None:
        return Skipped(path, "not a supported source file")
    checked = _source_bytes(path, source, max_bytes, within)
    if isinstance(checked, Skipped):
        return checked
    from .extract import file_facts  # parsers load only when a file needs extracting (not on a warm scan)

    return _guarded(path, lambda: file_facts(path, checked, language))


def _source_bytes(path: str, source: bytes | None, max_bytes: int, within: str | None) -> bytes | Skipped:
    """A file's bytes read through `read_source`, or bytes already read held to the same limits."""
    if source is None:
        return read_source(path, max_bytes, within)
    if len(source) > max_bytes:
        return Skipped(path, f"larger than {max_bytes:,} bytes")
    if looks_binary(source):
        return Skipped(path, "binary content")
    return source


def _guarded(path: str, read: Callable[[], T]) -> T | Skipped:
    """A parser's or reader's answer; a file too deep for it, or a bug in it, skips the file instead of
    stopping the scan."""
    try:
        return read()
    except TooDeeplyNested as error:
        return Skipped(path, str(error))
    except Exception as error:
        return Skipped(path, f"analysis failed ({type(error).__name__}: {error})")


def read_facts_through(
    cache: FactsCache | None, path: str, max_bytes: int = MAX_FILE_BYTES, within: str | None = None
) -> FileFacts | Skipped:
    """`read_facts` with a facts cache: an unchanged file's facts come from it; a new or changed file's
    are extracted and stored in it."""
    if cache is None:
        return read_facts(path, None, max_bytes, within)
    hit, key, source = cache.find(path, max_bytes, within)
    if isinstance(hit, FileFacts):
        return hit
    item = read_facts(path, source, max_bytes, within)
    if key is not None and isinstance(item, FileFacts):
        cache.store(path, key, item)
    return item


def read_settings_file(
    path: str, source: bytes | None = None, max_bytes: int = MAX_FILE_BYTES, within: str | None = None
) -> SettingsFacts | Skipped | None:
    """Facts of a settings file (`file_kinds`) on disk, or of `source`, its bytes already read; None
    when its content shows it is not one (a YAML file that is no Kubernetes manifest). Read through
    `read_source`, so with the same refusals as a source file; never raises."""
    checked = _source_bytes(path, source, max_bytes, within)
    if isinstance(checked, Skipped):
        return checked
    return _guarded(path, lambda: read_settings(path, checked))


def read_settings_through(
    cache: FactsCache | None, path: str, max_bytes: int = MAX_FILE_BYTES, within: str | None = None
) -> SettingsFacts | Skipped | None:
    """`read_settings_file` with a facts cache, as `read_facts_through` reads a source file."""
    if cache is None:
        return read_settings_file(path, None, max_bytes, within)
    hit, key, source = cache.find(path, max_bytes, within)
    if isinstance(hit, SettingsFacts):
        return hit
    if source is None:  # not read (`read_source` refused it), or a stale entry of another type
        return read_settings_file(path, None, max_bytes, within)
    item = read_settings_file(path, source, max_bytes, within)
    if key is not None and isinstance(item, SettingsFacts):
        cache.store(path, key, item)
    return item


def read_keyed_facts(path: str) -> tuple[FileFacts | Skipped, Key | None]:
    """Facts of a file on disk and the cache key of the very bytes they were extracted from (a file
    may change between a look-up in the cache and its extraction in a worker)."""
    read = read_keyed(path)
    if isinstance(read, Skipped):
        return read, None
    key, source = read
    return read_facts(path, source), key


Extracted = tuple[FileFacts | Skipped, Key | None]


def _extract_all(paths: list[str], jobs: int, progress: Progress | None) -> list[Extracted]:
    results: list[Extracted] = []
    total = len(paths)
    if jobs > 1 and total >= PARALLEL_THRESHOLD:
        from concurrent.futures import ProcessPoolExecutor

        chunk = max(8, total // (jobs * 8))
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for done, item in enumerate(pool.map(read_keyed_facts, paths, chunksize=chunk), 1):
                results.append(item)
                if progress is not None:
                    progress(done, total)
        return results
    for done, path in enumerate(paths, 1):
        results.append(read_keyed_facts(path))
        if progress is not None:
            progress(done, total)
    return results


def scan(
    targets: Iterable[str],
    config_file: str | None = None,
    jobs: int | None = None,
    progress: Progress | None = None,
    cwd: str | None = None,
    cache_dir: str | None = None,
) -> ScanResult:
    """Analyse files and folders, project by project as `projects.discover` groups them."""
    configs = ConfigResolver(config_file)
    found = discover(targets, configs, cwd)
    result = ScanResult(skipped=found.skipped, errors=found.errors)
    reported = found.requested
    projects = found.projects
    folders = found.folders  # with the projects, where the cache must not be
    paths = [p for p in sorted(found.roots) if language_for_path(p) is not None]
    settings_paths = [p for p in sorted(found.roots) if language_for_path(p) is None]
    facts_by_path: dict[str, FileFacts] = {}
    settings_by_path: dict[str, SettingsFacts] = {}
    cache = FactsCache(cache_dir, ",".join(sorted(projects)), [*projects, *folders]) if cache_dir else None
    if cache is not None and cache.problem is not None:  # a cache the workspace could write is never read
        cache = None
    if cache is not None:
        # a file without an entry is read once, by the worker that extracts it
        for path in filter(cache.entries.__contains__, paths):
            hit, _, _ = cache.find(path)
            if isinstance(hit, FileFacts):
                facts_by_path[path] = hit
    missing = [p for p in paths if p not in facts_by_path]
    for item, key in _extract_all(missing, jobs if jobs is not None else (os.cpu_count() or 1), progress):
        if isinstance(item, Skipped):
            if item.path in reported:
                result.skipped.append(item)
        else:
            facts_by_path[item.path] = item
            if cache is not None and key is not None:
                cache.store(item.path, key, item)
    for path in settings_paths:  # a few small files: read here, not in workers
        read = read_settings_through(cache, path)
        if isinstance(read, SettingsFacts):
            settings_by_path[path] = read
        elif read is not None and path in reported and named_for_sure(path):
            result.skipped.append(read)  # of any other YAML, that it cannot be read is no news
    if cache is not None:
        cache.save()
    for root, members in sorted(projects.items()):
        if not any(language_for_path(p) for p in members):
            continue  # settings files alone: nothing to evaluate them with
        member_facts = tuple(facts_by_path[p] for p in members if p in facts_by_path)
        member_settings = tuple(settings_by_path[p] for p in members if p in settings_by_path)
        result.project_facts[root] = member_facts
        result.project_settings[root] = member_settings
        result.roots.update(dict.fromkeys(members, root))
        project = evaluate(root, member_facts, configs.for_path, settings=member_settings)
        result.findings.extend(f for f in project.findings if f.path in reported)
        if project.audit is not None:
            result.audits[root] = project.audit
    result.files_scanned = sum(1 for p in reported if p in facts_by_path)
    result.findings.sort(key=lambda f: (f.path, f.span.start_byte, f.rule))
    result.errors.extend(configs.errors)
    return result
