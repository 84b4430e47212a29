"""Which files to analyse, and where a project's root is (`ProjectLocator`; `projects.py` groups files
into projects with it).

A project is the nearest folder above a file holding a project marker, never above the folder being
scanned. Source files (the language table) and settings files (`file_kinds`) are walked alike. Vendored and generated trees, tests and whatever `.gitignore` ignores are left out.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field

import pathspec

from .config import ConfigResolver
from .file_kinds import kind_for_path, named_for_sure
from .languages import language_for_path, project_markers

# the languages' markers (the language table) and our own; names with `*` are matched in a listing
PROJECT_MARKERS = tuple(m for m in (*project_markers(), ".hscale.toml", ".git") if "*" not in m)
MARKER_PATTERNS = tuple(m for m in project_markers() if "*" in m)
SKIPPED_DIRS = frozenset(
    {
        "node_modules",
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "site-packages",
        "dist",
        "build",
        "vendor",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".next",
        ".nuxt",
        ".svelte-kit",
        "bower_components",
        "coverage",
        ".cache",
        ".eggs",
    }
)
TEST_DIRS = frozenset({"tests", "test", "__tests__", "__mocks__", "spec", "e2e"})
MAX_FILE_BYTES = 2_000_000


@dataclass(frozen=True, slots=True)
class Skipped:
    path: str
    reason: str


def is_test_file(name: str) -> bool:
    lowered = name.lower()
    return (
        ".test." in lowered
        or ".spec." in lowered
        or (lowered.startswith("test_") and lowered.endswith(".py"))
        or lowered.endswith("_test.py")
        or lowered == "conftest.py"
    )


def excluded_reason(relative_parts: tuple[str, ...]) -> str | None:
    """Why a path (relative to the scan root, as parts) is not analysed, or None."""
    *dirs, name = relative_parts
    for part in dirs:
        if part in SKIPPED_DIRS or part.endswith(".egg-info"):
            return f"vendored or generated folder `{part}/`"
        if part in TEST_DIRS:
            return f"test folder `{part}/`"
    if is_test_file(name):
        return "test file"
    if name.endswith((".min.js", ".bundle.js")) or ".min." in name:
        return "minified file"
    return None


@dataclass(slots=True)
class FileWalker:
    """Walks folders below a root, applying every `.gitignore` met on the way down."""

    root: str
    configs: ConfigResolver
    skipped: list[Skipped] = field(default_factory=list)
    max_bytes: int = MAX_FILE_BYTES

    def files(self) -> Iterator[str]:
        real_root = os.path.realpath(self.root)
        specs: list[tuple[str, pathspec.GitIgnoreSpec]] = []

        def unreadable(error: OSError) -> None:  # os.walk would drop such a folder without a word
            self.skipped.append(
                Skipped(str(error.filename or self.root), f"cannot be read ({error.strerror})")
            )

        for directory, dirnames, filenames in os.walk(self.root, onerror=unreadable):
            specs = [(base, spec) for base, spec in specs if _within(directory, base)]
            gitignore = os.path.join(directory, ".gitignore")
            if os.path.isfile(gitignore):
                try:
                    with open(gitignore, encoding="utf-8", errors="replace") as handle:
                        specs.append((directory, pathspec.GitIgnoreSpec.from_lines(handle)))
                except OSError:
                    pass
            if os.path.isfile(os.path.join(directory, "pyvenv.cfg")) and directory != self.root:
                dirnames[:] = []
                continue
            kept = []
            for name in sorted(dirnames):
                path = os.path.join(directory, name)
                if (
                    name in SKIPPED_DIRS
                    or name in TEST_DIRS
                    or name.endswith(".egg-info")
                    or os.path.islink(path)
                ):
                    continue
                if _ignored(specs, path, is_dir=True) or self.configs.for_dir(path).excludes(path + "/"):
                    continue
                kept.append(name)
            dirnames[:] = kept
            for name in sorted(filenames):
                path = os.path.join(directory, name)
                source = language_for_path(name) is not None
                if not source and kind_for_path(path) is None:
                    continue
                reason = excluded_reason((name,))
                if reason is None and os.path.islink(path) and not _within(os.path.realpath(path), real_root):
                    reason = "symbolic link to a file outside the scanned folder"
                if reason is None and _ignored(specs, path, is_dir=False):
                    reason = "ignored by .gitignore"
                if reason is None and self.configs.for_path(path).excludes(path):
                    reason = "excluded by configuration"
                if reason is None:
                    reason = size_problem(path, self.max_bytes)
                if reason is not None:
                    # a YAML file that is a settings file only if its content says so goes unmentioned
                    if source or named_for_sure(path):
                        self.skipped.append(Skipped(path, reason))
                    continue
                yield path


def size_problem(path: str, max_bytes: int = MAX_FILE_BYTES) -> str | None:
    try:
        info = os.stat(path)
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file"  # a FIFO or device would block or never end
    size = info.st_size
    if size > max_bytes:
        return f"larger than {max_bytes:,} bytes"
    return None


def _within(directory: str, base: str) -> bool:
    return directory == base or directory.startswith(base.rstrip(os.sep) + os.sep)


def _ignored(specs: list[tuple[str, pathspec.GitIgnoreSpec]], path: str, is_dir: bool) -> bool:
    for base, spec in specs:
        relative = os.path.relpath(path, base).replace(os.sep, "/")
        if spec.match_file(relative + ("/" if is_dir else "")):
            return True
    return False


class ProjectLocator:
    """Maps a file to its project root: nearest folder with a marker, bounded by the scan root."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], str] = {}

    def root_for(self, path: str, bound: str) -> str:
        directory = os.path.dirname(os.path.abspath(path))
        return self.root_for_dir(directory, os.path.abspath(bound))

    def root_for_dir(self, directory: str, bound: str) -> str:
        key = (directory, bound)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        if any(os.path.exists(os.path.join(directory, m)) for m in PROJECT_MARKERS) or _has_marker_file(
            directory
        ):
            root = directory
        elif directory == bound or not _within(directory, bound):
            root = bound
        else:
            parent = os.path.dirname(directory)
            root = bound if parent == directory else self.root_for_dir(parent, bound)
        self._cache[key] = root
        return root


def _has_marker_file(directory: str) -> bool:
    """A file matching one of the markers given as patterns (`requirements*.txt`)."""
    if not MARKER_PATTERNS:
        return False
    try:
        return any(fnmatch.fnmatchcase(n, p) for n in os.listdir(directory) for p in MARKER_PATTERNS)
    except OSError:
        return False
