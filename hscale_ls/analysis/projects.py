"""Which projects a command evaluates, and which files make up each: `check`, `audit`, `--fix`,
`--diff` and the language server all group files here, so they see the same projects.

A file's project is the nearest folder above it with a project marker, looked for no higher than the
folder it was named under (the innermost folder named, else the working directory when the file is
inside it, else the file's own folder). The paths named only decide whose findings are reported; the
members of their projects are always read whole. Nothing here parses a file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .config import ConfigResolver
from .file_kinds import kind_for_path
from .languages import language_for_path
from .workspace import MAX_FILE_BYTES, FileWalker, ProjectLocator, Skipped, size_problem


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def scan_folder(path: str, folders: Sequence[str], cwd: str | None = None) -> str:
    """The folder `path` counts as scanned under: the innermost of `folders` holding it, else `cwd`
    when it holds it, else the file's own folder."""
    best = ""
    for folder in folders:
        if _inside(path, folder) and len(folder) > len(best):
            best = folder
    if best:
        return best
    if cwd is not None and _inside(path, cwd) and path != cwd:
        return cwd
    return os.path.dirname(path)


def project_root(locator: ProjectLocator, path: str, folders: Sequence[str], cwd: str | None = None) -> str:
    """The root of the project `path` belongs to (see the module docstring)."""
    return locator.root_for(path, scan_folder(path, folders, cwd))


@dataclass(slots=True)
class Discovery:
    """The projects to evaluate for the paths a user named."""

    folders: list[str] = field(default_factory=list)  # folders named, absolute
    cwd: str | None = None
    roots: dict[str, str] = field(default_factory=dict)  # member path -> project root
    requested: set[str] = field(default_factory=set)  # paths whose findings are reported (and fixed)
    skipped: list[Skipped] = field(default_factory=list)  # of the paths requested
    errors: list[str] = field(default_factory=list)

    @property
    def projects(self) -> dict[str, list[str]]:
        """Project root -> its member paths, sorted."""
        grouped: dict[str, list[str]] = {}
        for path in sorted(self.roots):
            grouped.setdefault(self.roots[path], []).append(path)
        return dict(sorted(grouped.items()))


def discover(
    targets: Iterable[str],
    configs: ConfigResolver,
    cwd: str | None = None,
    locator: ProjectLocator | None = None,
    max_bytes: int = MAX_FILE_BYTES,
) -> Discovery:
    """Projects and member files for the files and folders named in `targets`.

    Files under a folder named are reported; a file named is reported even if it is a test or
    vendored, and the rest of its project is read for context only. Missing paths become errors."""
    cwd = os.path.abspath(cwd or os.getcwd())
    locator = locator or ProjectLocator()
    found = Discovery(cwd=cwd)
    named = [os.path.abspath(t) for t in targets]
    found.folders = list(dict.fromkeys(t for t in named if os.path.isdir(t)))

    def root_of(path: str) -> str:
        return project_root(locator, path, found.folders, cwd)

    for folder in found.folders:
        walker = FileWalker(folder, configs, max_bytes=max_bytes)
        for path in walker.files():
            found.requested.add(path)
            found.roots.setdefault(path, root_of(path))
        found.skipped.extend(walker.skipped)
    complete = set(found.roots.values())  # every file under a folder named has been walked
    for target in named:
        if os.path.isdir(target):
            continue
        if not os.path.isfile(target):
            found.errors.append(f"{target}: no such file or folder")
            continue
        known = language_for_path(target) is not None or kind_for_path(target) is not None
        problem = size_problem(target, max_bytes) if known else "not a supported source file"
        if problem:
            found.skipped.append(Skipped(target, problem))
            continue
        root = root_of(target)
        found.requested.add(target)
        found.roots[target] = root
        if root in complete:
            continue
        complete.add(root)
        # files of sub-projects below the root belong to those, not to this project
        for path in FileWalker(root, configs, max_bytes=max_bytes).files():
            if path not in found.roots and root_of(path) == root:
                found.roots[path] = root
    return found
