"""Where a local import leads: the project file an import specifier names, per language family.

Pure path arithmetic over the set of known project files; the language table (`languages.py`) says
which resolver a language uses.
"""

from __future__ import annotations

import os
from collections.abc import Set


def resolve_python_import(importer: str, module: str, known: Set[str]) -> str | None:
    """The project file `from .manager import x` / `import app.rooms` names, if any."""
    base = os.path.dirname(importer)
    dots = len(module) - len(module.lstrip("."))
    parts = module.lstrip(".").split(".")
    candidates_dirs = [base] if dots else []
    if dots > 1:
        for _ in range(dots - 1):
            candidates_dirs = [os.path.dirname(d) for d in candidates_dirs]
    if not dots:  # absolute: try from the importer's folder and its parents
        current = base
        for _ in range(6):
            candidates_dirs.append(current)
            current = os.path.dirname(current)
    for directory in candidates_dirs:
        for cut in (len(parts), len(parts) - 1):
            if cut <= 0:
                continue
            stem = os.path.join(directory, *parts[:cut])
            for candidate in (stem + ".py", os.path.join(stem, "__init__.py")):
                if candidate in known:
                    return candidate
    return None


def resolve_ecmascript_import(importer: str, module: str, known: Set[str]) -> str | None:
    """The project file `./users` / `../lib/rooms.js` names, if any."""
    base = os.path.dirname(importer)
    if not module.startswith("."):
        return None
    stem = os.path.normpath(os.path.join(base, module))
    for suffix in (
        "",
        ".js",
        ".ts",
        ".mjs",
        ".cjs",
        ".jsx",
        ".tsx",
        ".mts",
        ".cts",
        "/index.js",
        "/index.ts",
    ):
        if stem + suffix in known:
            return stem + suffix
    if stem.endswith(".js"):  # TypeScript ESM imports name the emitted .js file
        for suffix in (".ts", ".tsx", ".mts"):
            if stem[:-3] + suffix in known:
                return stem[:-3] + suffix
    return None
