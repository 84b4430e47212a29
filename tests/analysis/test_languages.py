"""The language table is complete: every entry can be parsed, queried, extracted, suppressed and watched.

A language added to `hscale_ls/analysis/languages.py` with a missing piece fails here, not in a user's
editor.
"""

from __future__ import annotations

import fnmatch

import pytest

from hscale_ls.analysis.extract import file_facts
from hscale_ls.analysis.facts import parse_suppression
from hscale_ls.analysis.languages import (
    EXTENSIONS,
    LANGUAGES,
    LSP_LANGUAGE_IDS,
    fact_query,
    language_for_path,
    parser,
)
from hscale_ls.analysis.scan_common import ExtractorKit
from hscale_ls.fixes.style import detect

NAMES = sorted(LANGUAGES)


def test_every_language_id_is_one_entry() -> None:
    assert sorted(["javascript", "typescript", "tsx", "python"]) == NAMES
    for name, entry in LANGUAGES.items():
        assert entry.id == name


@pytest.mark.parametrize("name", NAMES)
def test_entry_has_extensions_and_editor_ids_of_its_own(name: str) -> None:
    entry = LANGUAGES[name]
    assert entry.extensions and entry.lsp_ids
    for extension in entry.extensions:
        assert extension.startswith(".") and EXTENSIONS[extension] == name
        assert language_for_path(f"src/app{extension.upper()}") == name
    for lsp_id in entry.lsp_ids:
        assert LSP_LANGUAGE_IDS[lsp_id] == name


@pytest.mark.parametrize("name", NAMES)
def test_entry_queries_compile_and_name_the_captures_the_extractors_read(name: str) -> None:
    query = fact_query(name)  # type: ignore[arg-type]
    captures = {query.capture_name(i) for i in range(query.capture_count)}
    assert {"call", "function", "comment", "assign"} <= captures


@pytest.mark.parametrize("name", NAMES)
def test_entry_has_an_extractor_that_reads_a_file(name: str) -> None:
    entry = LANGUAGES[name]
    assert isinstance(entry.kit(), ExtractorKit)
    source = f"{entry.comment} nothing here\n".encode()
    assert parser(name).parse(source).root_node.type == entry.root_type  # type: ignore[arg-type]
    facts = file_facts("x" + entry.extensions[0], source, name)  # type: ignore[arg-type]
    assert facts.language == name and not facts.has_errors


@pytest.mark.parametrize("name", NAMES)
def test_entry_reads_the_suppressions_it_writes(name: str) -> None:
    entry = LANGUAGES[name]
    comment = entry.suppression_comment("presence-in-memory", "one instance by design")
    assert comment.startswith(entry.comment)
    assert parse_suppression(comment, entry.suppression) == (
        frozenset({"presence-in-memory"}),
        "one instance by design",
    )


@pytest.mark.parametrize("name", NAMES)
def test_entry_resolves_a_local_import_and_has_manifests(name: str) -> None:
    entry = LANGUAGES[name]
    assert entry.manifests and set(entry.manifests) <= set(entry.project_markers)
    assert entry.resolve_import("/p/a" + entry.extensions[0], "os", set()) is None
    assert detect(b"", name).indent == entry.indent  # type: ignore[arg-type]


def test_server_watches_every_extension_and_manifest() -> None:
    from hscale_ls.server.server import WATCH_GLOBS, watched_file_kind

    pattern = WATCH_GLOBS[0]
    listed = pattern[pattern.index("{") + 1 : pattern.index("}")].split(",")
    assert sorted("." + e for e in listed) == sorted(EXTENSIONS)
    for entry in LANGUAGES.values():
        for manifest in entry.manifests:
            assert any(fnmatch.fnmatchcase("**/" + manifest, g) for g in WATCH_GLOBS), manifest
            assert watched_file_kind("/p/" + manifest.replace("*", "-dev")) == "config"


def test_typescript_path_imports_reach_project_files_and_packages_reach_none() -> None:
    """`src/shared/rooms.service` (a `baseUrl` import) and `@/stores/rooms` (a `paths` alias) name the
    project's own files from any depth; packages, scoped packages and node built-ins name none."""
    from hscale_ls.analysis.imports import resolve_ecmascript_import as resolve

    known = {"/p/src/shared/rooms.service.ts", "/p/src/stores/rooms.ts", "/p/src/utils/index.ts"}
    gateway = "/p/src/events/deep/gateway.ts"
    assert resolve(gateway, "src/shared/rooms.service", known) == "/p/src/shared/rooms.service.ts"
    assert resolve(gateway, "@/stores/rooms", known) == "/p/src/stores/rooms.ts"
    assert resolve(gateway, "~/stores/rooms", known) == "/p/src/stores/rooms.ts"
    assert resolve(gateway, "../../utils", known) == "/p/src/utils/index.ts"
    for package in ("socket.io", "@nestjs/common", "lodash/fp", "node:http", "src/missing"):
        assert resolve(gateway, package, known) is None, package
