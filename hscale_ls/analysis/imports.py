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


# what a path alias of the project's own files starts with (`@/stores/rooms`, `~/lib/rooms`): under
# `src/` (the usual `paths` mapping) or the project folder
ALIAS_PREFIXES = ("@/", "~/")
_SUFFIXES = ("", ".js", ".ts", ".mjs", ".cjs", ".jsx", ".tsx", ".mts", ".cts", "/index.js", "/index.ts")


def may_be_local(module: str) -> bool:
    """Whether an ECMAScript import specifier can name a project file (see below): relative, an alias,
    or a path from the base folder. `lodash/fp` passes too and then resolves to nothing."""
    return module.startswith((".", *ALIAS_PREFIXES)) or (
        "/" in module and not module.startswith(("@", "node:"))
    )


def resolve_ecmascript_import(importer: str, module: str, known: Set[str]) -> str | None:
    """The project file `./users` / `../lib/rooms.js` names, if any; and a TypeScript path import
    from the project's base folder (`src/shared/rooms.service`, `baseUrl: "./"`) or through an alias
    (`@/stores/rooms`), tried from the importer's folder and its parents. A package (`lodash`,
    `@nestjs/common`, `socket.io/dist/x`) names no file of the project and resolves to nothing."""
    base = os.path.dirname(importer)
    if module.startswith("."):
        return _with_suffix(os.path.normpath(os.path.join(base, module)), known)
    if not may_be_local(module):
        return None
    alias = module.startswith(ALIAS_PREFIXES)
    rest = module[2:] if alias else module
    under: tuple[str, ...] = ("src", "") if alias else ("",)
    current = base
    for _ in range(8):
        for folder in under:
            found = _with_suffix(os.path.join(current, folder, rest), known)
            if found is not None:
                return found
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    return None


def _with_suffix(stem: str, known: Set[str]) -> str | None:
    for suffix in _SUFFIXES:
        if stem + suffix in known:
            return stem + suffix
    if stem.endswith(".js"):  # TypeScript ESM imports name the emitted .js file
        for suffix in (".ts", ".tsx", ".mts"):
            if stem[:-3] + suffix in known:
                return stem[:-3] + suffix
    return None
