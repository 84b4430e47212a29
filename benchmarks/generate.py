"""Generate a realistic tree of real-time server projects for the scan benchmark.

Each project is a folder with a manifest and a mix of JavaScript, TypeScript and Python files: a few
real-time servers with in-memory or Redis-backed state, and many ordinary modules (services, helpers,
models) padded to realistic sizes. Deterministic for a given seed.

    python benchmarks/generate.py OUT [--files 2000] [--megabytes 20] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

JS_SERVER = """const {{ Server }} = require("socket.io");
const http = require("http");
const httpServer = http.createServer();
const io = new Server(httpServer);
const onlineUsers{n} = new Map();
const history{n} = [];
io.on("connection", (socket) => {{
  onlineUsers{n}.set(socket.id, socket.handshake.auth.name);
  socket.on("message", (message) => {{
    history{n}.push(message);
    io.emit("message", message);
  }});
  socket.on("disconnect", () => onlineUsers{n}.delete(socket.id));
}});
"""
TS_SERVICE = """import {{ Injectable }} from "@nestjs/common";

export interface Item{n} {{
  id: string;
  name: string;
  createdAt: number;
}}

@Injectable()
export class ItemService{n} {{
  private readonly cache = new Map<string, Item{n}>();

  find(id: string): Item{n} | undefined {{
    return this.cache.get(id);
  }}

  save(item: Item{n}): Item{n} {{
    this.cache.set(item.id, item);
    return item;
  }}
}}
"""
PY_SERVER = """import socketio

sio = socketio.AsyncServer(async_mode="asgi")
online_users_{n} = {{}}
messages_{n} = []


@sio.event
async def connect(sid, environ, auth):
    online_users_{n}[sid] = (auth or {{}}).get("name", sid)


@sio.on("message")
async def message(sid, data):
    messages_{n}.append(data)
    await sio.emit("message", data)
"""
JS_FILLER = """
function compute{n}_{k}(values, factor) {{
  const result = [];
  for (let index = 0; index < values.length; index += 1) {{
    const value = values[index] * factor + {k};
    if (value % 3 === 0) {{
      result.push({{ index, value, label: `item-${{index}}-{k}` }});
    }} else {{
      result.push({{ index, value: value / 2, label: "other" }});
    }}
  }}
  return result.filter((entry) => entry.value > {k}).map((entry) => entry.label);
}}
"""
TS_FILLER = """
export function transform{n}_{k}(records: Array<{{ id: string; score: number }}>, limit = {k}): string[] {{
  const seen = new Set<string>();
  const output: string[] = [];
  for (const record of records) {{
    if (seen.has(record.id) || record.score < limit) {{
      continue;
    }}
    seen.add(record.id);
    output.push(`${{record.id}}:${{record.score.toFixed(2)}}`);
  }}
  return output.sort((a, b) => a.localeCompare(b));
}}
"""
PY_FILLER = """

def summarise_{n}_{k}(rows, threshold={k}):
    totals = {{}}
    for row in rows:
        key = row.get("key", "other")
        if row.get("value", 0) < threshold:
            continue
        totals.setdefault(key, 0)
        totals[key] += row["value"]
    return sorted(totals.items(), key=lambda item: (-item[1], item[0]))
"""


def generate(out: Path, files: int, megabytes: float, seed: int) -> tuple[int, int]:
    rng = random.Random(seed)
    target = int(megabytes * 1_000_000)
    per_file = max(1000, target // files)
    written = 0
    count = 0
    projects = max(1, files // 40)
    for project in range(projects):
        root = out / f"app{project:03d}"
        root.mkdir(parents=True, exist_ok=True)
        python_project = project % 3 == 2
        if python_project:
            (root / "requirements.txt").write_text("python-socketio>=5.11\n")
        else:
            (root / "package.json").write_text(
                json.dumps({"name": f"app{project}", "dependencies": {"socket.io": "^4.8.1"}})
            )
        for index in range(files // projects):
            n = f"{project}_{index}"
            if python_project:
                name, head, filler = f"src/mod_{index}.py", (PY_SERVER if index % 10 == 0 else ""), PY_FILLER
            elif index % 2:
                name, head, filler = f"src/service{index}.ts", TS_SERVICE, TS_FILLER
            else:
                name, head, filler = (
                    f"src/module{index}.js",
                    (JS_SERVER if index % 10 == 0 else ""),
                    JS_FILLER,
                )
            parts = [head.format(n=n)]
            size = len(parts[0])
            k = 0
            goal = int(per_file * rng.uniform(0.5, 1.5))
            while size < goal:
                chunk = filler.format(n=n, k=k)
                parts.append(chunk)
                size += len(chunk)
                k += 1
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            text = "".join(parts)
            path.write_text(text)
            written += len(text.encode())
            count += 1
    return count, written


def one_project(tree: Path, files: int) -> Path:
    """The scan tree of `files` files made into one project (one manifest at the top), for measuring
    keystrokes in a large project; returns its first server file."""
    generate(tree, files, files / 100, seed=1)
    for manifest in [*tree.rglob("package.json"), *tree.rglob("requirements.txt")]:
        manifest.unlink()
    (tree / "package.json").write_text('{"name": "one-project", "dependencies": {"socket.io": "^4.8.1"}}')
    return tree / "app000" / "src" / "module0.js"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--megabytes", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    count, size = generate(args.out, args.files, args.megabytes, args.seed)
    print(f"{count} files, {size / 1e6:.1f} MB in {args.out}")


if __name__ == "__main__":
    main()
