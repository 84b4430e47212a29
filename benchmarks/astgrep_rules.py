"""ast-grep rules equivalent in spirit to hscale's fact queries (containers, handlers, mutations,
servers), written into a folder with an sgconfig.yml so `ast-grep scan` and `ast-grep lsp` use them."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

RULES = {
    "JavaScript": [
        ("module-map", "const $N = new Map()"),
        ("handler", "$S.on($E, $H)"),
        ("mutation", "$C.push($V)"),
        ("server", "new Server($$$A)"),
    ],
    "TypeScript": [
        ("module-map", "const $N = new Map()"),
        ("handler", "$S.on($E, $H)"),
        ("mutation", "$C.push($V)"),
        ("server", "new Server($$$A)"),
    ],
    "Python": [
        ("module-dict", "$N = {}"),
        ("handler", "@$S.on($$$A)"),
        ("mutation", "$C.append($V)"),
        ("server", "socketio.AsyncServer($$$A)"),
    ],
}


def ast_grep_binary() -> str | None:
    """ast-grep from the benchmark's own environment first (pip install ast-grep-cli), then PATH.
    Never `sg`: on Debian that name is the shadow-utils command that switches groups."""
    beside = Path(sys.executable).parent / "ast-grep"
    if beside.exists():
        return str(beside)
    return shutil.which("ast-grep")


def write_rules(folder: Path) -> Path:
    rules = folder / "sg-rules"
    rules.mkdir(parents=True, exist_ok=True)
    for language, patterns in RULES.items():
        for name, pattern in patterns:
            (rules / f"{language.lower()}-{name}.yml").write_text(
                f"id: {language.lower()}-{name}\nlanguage: {language}\nseverity: warning\n"
                f"message: {name}\nrule:\n  pattern: {pattern!r}\n"
            )
    (folder / "sgconfig.yml").write_text("ruleDirs:\n  - sg-rules\n")
    return folder
