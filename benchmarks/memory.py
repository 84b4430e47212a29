"""Language server memory: resident set size with a generated workspace indexed and 100 documents open.

python benchmarks/memory.py [--files 2000] [--megabytes 20] [--open 100]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
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


async def run(args: argparse.Namespace) -> dict[str, object]:
    work = Path(tempfile.mkdtemp(prefix="hscale-mem-"))
    try:
        count, size = generate(work, args.files, args.megabytes, seed=3)
        server = LspProcess([sys.executable, "-m", "hscale_ls", "serve"], str(work))
        await server.start()
        indexed = server.expect(
            lambda m: m.get("method") == "$/progress" and m["params"]["value"].get("kind") == "end"
        )
        await server.initialize(work.as_uri(), {"debounceMs": 0})
        await asyncio.wait_for(indexed, 600)
        after_index = rss_mb(server.pid)
        paths = sorted(p for p in work.rglob("*") if p.suffix in LANGUAGE_IDS)[: args.open]
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
        return {"files": count, "megabytes": round(size / 1e6, 1), "indexed": after_index,
                "with_open_documents": {**after_open, "open": len(paths)}}  # fmt: skip
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
