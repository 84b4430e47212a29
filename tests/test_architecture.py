"""The pure core stays pure: nothing outside hscale_ls/server imports pygls or lsprotocol."""

from __future__ import annotations

import ast

from tests.conftest import ROOT

BANNED = {"pygls", "lsprotocol"}


def imported_roots(path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_analysis_fixes_cli_and_report_never_import_the_lsp_stack() -> None:
    package = ROOT / "hscale_ls"
    offenders = [
        str(path.relative_to(ROOT))
        for path in package.rglob("*.py")
        if "server" not in path.relative_to(package).parts and imported_roots(path) & BANNED
    ]
    assert offenders == []
