"""Keystroke-to-diagnostics latency: the time from a didChange to the publishDiagnostics for it, over a
scripted series of edits to a large server file, for hscale-ls (incremental and not) and ast-grep lsp.

    python benchmarks/latency.py [--lines 5000] [--edits 200] [--languages javascript typescript python]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import emit
from benchmarks.astgrep_rules import ast_grep_binary, write_rules
from benchmarks.lsp_client import LspProcess
from benchmarks.workload import VARIANTS, apply_changes, edit_script, server_file

HSCALE = [sys.executable, "-m", "hscale_ls", "serve", "--no-cache"]  # a one-file workspace: nothing to cache


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
        "count": len(ordered),
    }


async def measure(
    command: list[str],
    workspace: Path,
    language: str,
    lines: int,
    edits: int,
    env: dict[str, str] | None,
    versioned: bool,
) -> dict[str, float]:
    name, _, _, language_id = VARIANTS[language]
    text = server_file(language, lines)
    uri = (workspace / name).as_uri()
    (workspace / name).write_text(text)
    server = LspProcess(command, str(workspace), env)
    await server.start()
    try:
        capabilities = (await server.initialize(workspace.as_uri(), {"debounceMs": 0}))["capabilities"]
        sync = capabilities.get("textDocumentSync")
        full_sync = (
            sync.get("change") if isinstance(sync, dict) else sync
        ) == 1  # the client sends whole texts
        first = server.expect(
            lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
        )
        server.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": language_id, "version": 1, "text": text}},
        )
        await asyncio.wait_for(first, 60)
        await asyncio.sleep(0.5)  # let background indexing settle
        samples = []
        current = text
        for version, changes in enumerate(edit_script(text, language, edits), start=2):
            current = apply_changes(current, changes)
            payload = [{"text": current}] if full_sync else changes

            def matches(message: dict[str, Any], version: int = version) -> bool:
                if (
                    message.get("method") != "textDocument/publishDiagnostics"
                    or message["params"]["uri"] != uri
                ):
                    return False
                return not versioned or message["params"].get("version") == version

            waiter = server.expect(matches)
            started = time.perf_counter()
            server.notify(
                "textDocument/didChange",
                {"textDocument": {"uri": uri, "version": version}, "contentChanges": payload},
            )
            await asyncio.wait_for(waiter, 30)
            samples.append(time.perf_counter() - started)
        return summary(samples)
    finally:
        await server.stop()


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {"lines": args.lines, "edits": args.edits, "languages": {}}
    astgrep = ast_grep_binary()
    for language in args.languages:
        with tempfile.TemporaryDirectory() as folder:
            workspace = write_rules(Path(folder))
            row: dict[str, Any] = {}
            row["hscale"] = await measure(HSCALE, workspace, language, args.lines, args.edits, None, True)
            row["hscale_no_incremental"] = await measure(
                HSCALE, workspace, language, args.lines, args.edits, {"HSCALE_INCREMENTAL": "0"}, True
            )
            if astgrep:
                row["ast_grep"] = await measure(
                    [astgrep, "lsp"], workspace, language, args.lines, args.edits, None, False
                )
                row["ratio_median"] = round(row["hscale"]["median_ms"] / row["ast_grep"]["median_ms"], 2)
                row["ratio_p95"] = round(row["hscale"]["p95_ms"] / row["ast_grep"]["p95_ms"], 2)
            results["languages"][language] = row
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--languages", nargs="+", default=["javascript", "typescript", "python"])
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    results = asyncio.run(main_async(args))
    emit(results, args.output)


if __name__ == "__main__":
    main()
