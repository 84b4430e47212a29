"""Language server memory: resident set size with a generated workspace indexed and 100 documents open.
Also the time from `initialize` to the end of indexing: with an empty facts cache, and in a second
session on the same workspace, which reads the files that did not change from the cache.

python benchmarks/memory.py [--files 2000] [--megabytes 20] [--open 100]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import emit
from benchmarks.generate import generate
from benchmarks.lsp_client import LspProcess

LANGUAGE_IDS = {".js": "javascript", ".ts": "typescript", ".py": "python"}


def rss_mb(pid: int) -> dict[str, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in {"VmRSS", "VmHWM"}:
            fields[key] = round(int(value.split()[0]) / 1024, 1)
    return {"rss_mb": fields.get("VmRSS", 0.0), "peak_rss_mb": fields.get("VmHWM", 0.0)}


async def indexed_server(tree: Path, env: dict[str, str]) -> tuple[LspProcess, float]:
    """A server on `tree` whose workspace index is complete, and how long that took from start."""
    started = time.perf_counter()
    server = LspProcess([sys.executable, "-m", "hscale_ls", "serve"], str(tree), env)
    await server.start()
    indexed = server.expect(
        lambda m: m.get("method") == "$/progress" and m["params"]["value"].get("kind") == "end"
    )
    await server.initialize(tree.as_uri(), {"debounceMs": 0})
    await asyncio.wait_for(indexed, 600)
    return server, time.perf_counter() - started


async def run(args: argparse.Namespace) -> dict[str, object]:
    work = Path(tempfile.mkdtemp(prefix="hscale-mem-"))
    try:
        tree = work / "tree"
        count, size = generate(tree, args.files, args.megabytes, seed=3)
        cache = {"HSCALE_CACHE_DIR": str(work / "cache")}  # empty: the first session fills it
        first, cold_seconds = await indexed_server(tree, cache)
        after_index = rss_mb(first.pid)
        await first.stop()
        server, warm_seconds = await indexed_server(tree, cache)
        warm_index = rss_mb(server.pid)
        paths = sorted(p for p in tree.rglob("*") if p.suffix in LANGUAGE_IDS)[: args.open]
        for path in paths:
            uri = path.as_uri()
            waiter = server.expect(
                lambda m, uri=uri: (
                    m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
                )
            )
            server.notify(
                "textDocument/didOpen",
                {
                    "textDocument": {
                        "uri": path.as_uri(),
                        "languageId": LANGUAGE_IDS[path.suffix],
                        "version": 1,
                        "text": path.read_text(),
                    }
                },
            )
            await asyncio.wait_for(waiter, 60)
        after_open = rss_mb(server.pid)
        await server.stop()
        return {
            "files": count,
            "megabytes": round(size / 1e6, 1),
            "indexed": after_index,
            "indexed_from_cache": warm_index,
            "with_open_documents": {**after_open, "open": len(paths)},
            "index_seconds": {
                "empty_cache": round(cold_seconds, 2),
                "second_session": round(warm_seconds, 2),
            },
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--megabytes", type=float, default=20.0)
    parser.add_argument("--open", type=int, default=100)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    results = asyncio.run(run(args))
    emit(results, args.output)


if __name__ == "__main__":
    main()
