"""Scan paths on disk: discover files and projects, extract facts (in parallel on large trees), evaluate.

This is what `hscale-ls check` and `audit` run; the language server uses the same pieces with
documents from the editor in place of files on disk.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .cache import FactsCache
from .config import ConfigResolver
from .facts import FileFacts
from .languages import language_for_path
from .project import Audit, Finding, evaluate
from .scan_common import TooDeeplyNested
from .sources import looks_binary, read_source
from .workspace import MAX_FILE_BYTES, FileWalker, ProjectLocator, Skipped, size_problem

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
    if source is None:
        read = read_source(path, max_bytes, within)
        if isinstance(read, Skipped):
            return read
        source = read
    elif len(source) > max_bytes:
        return Skipped(path, f"larger than {max_bytes:,} bytes")
    elif looks_binary(source):
        return Skipped(path, "binary content")
    from .extract import file_facts  # parsers load only when a file needs extracting (not on a warm scan)

    try:
        return file_facts(path, source, language)
    except TooDeeplyNested as error:
        return Skipped(path, str(error))
    except Exception as error:  # a parser or extractor bug must not stop the scan
        return Skipped(path, f"analysis failed ({type(error).__name__}: {error})")


def read_facts_through(
    cache: FactsCache | None, path: str, max_bytes: int = MAX_FILE_BYTES, within: str | None = None
) -> FileFacts | Skipped:
    """`read_facts` with a facts cache: an unchanged file's facts come from it; a new or changed file's
    are extracted and stored in it."""
    if cache is None:
        return read_facts(path, None, max_bytes, within)
    hit, key, source = cache.find(path, max_bytes, within)
    if hit is not None:
        return hit
    item = read_facts(path, source, max_bytes, within)
    if key is not None and isinstance(item, FileFacts):
        cache.store(path, *key, item)
    return item


def _extract_all(paths: list[str], jobs: int, progress: Progress | None) -> list[FileFacts | Skipped]:
    results: list[FileFacts | Skipped] = []
    total = len(paths)
    if jobs > 1 and total >= PARALLEL_THRESHOLD:
        from concurrent.futures import ProcessPoolExecutor

        chunk = max(8, total // (jobs * 8))
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for done, item in enumerate(pool.map(read_facts, paths, chunksize=chunk), 1):
                results.append(item)
                if progress is not None:
                    progress(done, total)
        return results
    for done, path in enumerate(paths, 1):
        results.append(read_facts(path))
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
    """Analyse files and folders. Files named explicitly are reported even if tests or vendored; the
    rest of their project is read for context only."""
    cwd = os.path.abspath(cwd or os.getcwd())
    configs = ConfigResolver(config_file)
    locator = ProjectLocator()
    result = ScanResult()
    reported: set[str] = set()
    projects: dict[str, set[str]] = {}
    for target in targets:
        target = os.path.abspath(target)
        if os.path.isdir(target):
            walker = FileWalker(target, configs)
            for path in walker.files():
                reported.add(path)
                projects.setdefault(locator.root_for(path, target), set()).add(path)
            result.skipped.extend(walker.skipped)
        elif os.path.isfile(target):
            problem = size_problem(target) if language_for_path(target) else "not a supported source file"
            if problem:
                result.skipped.append(Skipped(target, problem))
                continue
            bound = cwd if target.startswith(cwd + os.sep) else os.path.dirname(target)
            root = locator.root_for(target, bound)
            reported.add(target)
            context = projects.setdefault(root, set())
            context.add(target)
            if len(context) == 1:
                context.update(FileWalker(root, configs).files())
        else:
            result.errors.append(f"{target}: no such file or folder")
    paths = sorted(set().union(*projects.values())) if projects else []
    facts_by_path: dict[str, FileFacts] = {}
    cache = FactsCache(cache_dir, ",".join(sorted(projects))) if cache_dir else None
    digests: dict[str, tuple[str, tuple[int, int]]] = {}
    if cache is not None:
        for path in paths:
            hit, key, _ = cache.find(path)  # the workers read the files they extract themselves
            if hit is not None:
                facts_by_path[path] = hit
            elif key is not None:
                digests[path] = key
    missing = [p for p in paths if p not in facts_by_path]
    for item in _extract_all(missing, jobs if jobs is not None else (os.cpu_count() or 1), progress):
        if isinstance(item, Skipped):
            if item.path in reported:
                result.skipped.append(item)
        else:
            facts_by_path[item.path] = item
            if cache is not None and item.path in digests:
                cache.store(item.path, *digests[item.path], item)
    if cache is not None:
        cache.save()
    for root, members in sorted(projects.items()):
        member_facts = tuple(facts_by_path[p] for p in sorted(members) if p in facts_by_path)
        result.project_facts[root] = member_facts
        result.roots.update(dict.fromkeys(members, root))
        project = evaluate(root, member_facts, configs.for_path)
        result.findings.extend(f for f in project.findings if f.path in reported)
        if project.audit is not None:
            result.audits[root] = project.audit
    result.files_scanned = sum(1 for p in reported if p in facts_by_path)
    result.findings.sort(key=lambda f: (f.path, f.span.start_byte, f.rule))
    result.errors.extend(configs.errors)
    return result
