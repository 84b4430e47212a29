"""Same-run A/B of the work per keystroke between two source trees of hscale-ls (say, the last release
and the working tree), measured in CPU time so that other processes on a 2-core machine move the result
less than they move wall time.

Each round runs both trees, one after the other in a fresh process each, the order alternating from
round to round (A B, B A, A B, ...) so that a machine that warms up or slows down during the run favours
neither. A process opens the same generated documents as `analysis.py` (a 10,000-line server file per
language, and the first server file of one large generated project) and applies the same edit script;
for every edit it records the CPU time of the process from the edit to the project's findings. Both
trees use this tree's workload and the measuring code below: only the engine under test differs.

The same edit does the same work in every round, so the report takes each edit's least CPU time over
the rounds (what is above it is other load on the machine), and gives per document the median and p95
of those per tree and the ratio head / base of the medians; beside them the lowest and highest ratio of
single rounds' medians, which show how far one round alone would mislead.

    python benchmarks/ab.py BASE_TREE [--head TREE] [--rounds 4] [--lines 10000] [--edits 200]
                            [--project-files 1000] [--output results/ab.json]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
LANGUAGES = ("javascript", "typescript", "python")


def _load(name: str) -> ModuleType:
    """One of this folder's workload modules, loaded by path so that the tree under test (first on
    `sys.path` in a child) supplies only `hscale_ls`."""
    spec = importlib.util.spec_from_file_location(f"_ab_{name}", HERE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def child(lines: int, edits: int, project_files: int, only: list[str]) -> dict[str, list[float]]:
    """Runs inside the process whose `sys.path` starts with the tree under test: CPU seconds per edit."""
    from hscale_ls.analysis.live import LiveWorkspace

    workload = _load("workload")
    generate = _load("generate")
    samples: dict[str, list[float]] = {}
    for language in (d for d in LANGUAGES if not only or d in only):
        name = workload.VARIANTS[language][0]
        text = workload.server_file(language, lines)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            path.write_text(text)
            workspace = LiveWorkspace()
            workspace.index_folder(folder)
            document = workspace.open(str(path), language, 1, text)
            workspace.findings_for(str(path))
            found = []
            for changes in workload.edit_script(text, language, edits):
                started = time.process_time()
                for change in changes:
                    rng = change["range"]
                    document.edit(
                        (rng["start"]["line"], rng["start"]["character"]),
                        (rng["end"]["line"], rng["end"]["character"]),
                        str(change["text"]),
                        "utf-16",
                    )
                workspace.changed(str(path))
                workspace.findings_for(str(path))
                found.append(time.process_time() - started)
            samples[language] = found
    if not only or "large_project" in only:
        samples["large_project"] = _project(LiveWorkspace, generate, workload, project_files, edits)
    return samples


def _project(live: Any, generate: ModuleType, workload: ModuleType, files: int, edits: int) -> list[float]:
    """The keystrokes of `analysis.py`'s one-large-project measure (`workload.project_edits`)."""
    with tempfile.TemporaryDirectory() as folder:
        tree = Path(folder) / "tree"
        path = str(generate.one_project(tree, files))
        text = Path(path).read_text()
        workspace = live()
        workspace.index_folder(str(tree))
        document = workspace.open(path, "javascript", 1, text)
        workspace.findings_for(path)
        found = []
        for start, end, new in workload.project_edits(text, edits):
            started = time.process_time()
            document.edit(start, end, new, "utf-16")
            workspace.changed(path)
            workspace.findings_for(path)
            found.append(time.process_time() - started)
        return found


def run_side(tree: Path, args: argparse.Namespace) -> dict[str, list[float]]:
    """One fresh process with `tree` first on its path; its samples come back as JSON on stdout."""
    environment = {
        **os.environ,
        "PYTHONPATH": str(tree),
        "HSCALE_CACHE_DIR": tempfile.mkdtemp(prefix="ab-cache-"),
    }
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        str(tree),
        "--lines",
        str(args.lines),
        "--edits",
        str(args.edits),
        "--project-files",
        str(args.project_files),
        *(["--only", *args.only] if args.only else []),
    ]
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the run of {tree} failed:\n{done.stderr}")
    result: dict[str, list[float]] = json.loads(done.stdout)
    return result


def summary(base: list[dict[str, list[float]]], head: list[dict[str, list[float]]]) -> dict[str, Any]:
    """Per document: each edit's least CPU time over the rounds (the same edit does the same work every
    round; anything above its least is other load on the machine), then the median over the edits of
    those, per tree, and their ratio. The per-round ratios show how far one round alone could mislead."""
    report: dict[str, Any] = {}
    for measure in base[0]:
        least_base = [min(run[measure][i] for run in base) for i in range(len(base[0][measure]))]
        least_head = [min(run[measure][i] for run in head) for i in range(len(head[0][measure]))]
        ratios = [
            statistics.median(h[measure]) / statistics.median(b[measure])
            for b, h in zip(base, head, strict=True)
            if statistics.median(b[measure]) > 0
        ]
        report[measure] = {
            "base_median_ms": round(statistics.median(least_base) * 1000, 3),
            "head_median_ms": round(statistics.median(least_head) * 1000, 3),
            "ratio": round(statistics.median(least_head) / statistics.median(least_base), 3),
            "base_p95_ms": round(_quantile(least_base, 0.95) * 1000, 3),
            "head_p95_ms": round(_quantile(least_head, 0.95) * 1000, 3),
            "round_ratio_low": round(min(ratios), 3),
            "round_ratio_high": round(max(ratios), 3),
        }
    return report


def _quantile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("base", nargs="?", type=Path, help="the source tree to compare against")
    parser.add_argument(
        "--head", type=Path, default=HERE.parent, help="the tree under test (default: this one)"
    )
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--lines", type=int, default=10000)
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--project-files", type=int, default=1000)
    parser.add_argument(
        "--only",
        nargs="*",
        default=[],
        help="documents to measure: javascript typescript python large_project",
    )
    parser.add_argument("--output", type=Path)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        sys.path.insert(0, str(args.child.resolve()))
        print(json.dumps(child(args.lines, args.edits, args.project_files, args.only)))
        return
    if args.base is None:
        parser.error("give the base tree to compare against")
    for tree in (args.base, args.head):
        if not (tree / "hscale_ls" / "__init__.py").is_file():
            parser.error(f"{tree} is not a source tree of hscale-ls (no hscale_ls/__init__.py)")
    runs: dict[str, list[dict[str, list[float]]]] = {"base": [], "head": []}
    for number in range(args.rounds):
        order = ("base", "head") if number % 2 == 0 else ("head", "base")
        for side in order:
            tree = args.base if side == "base" else args.head
            runs[side].append(run_side(tree.resolve(), args))
            print(f"round {number + 1}/{args.rounds}: {side} done", file=sys.stderr, flush=True)
    result = {
        "base": str(args.base),
        "head": str(args.head),
        "rounds": args.rounds,
        "edits": args.edits,
        "lines": args.lines,
        "project_files": args.project_files,
        "clock": "process CPU time",
        "measures": summary(runs["base"], runs["head"]),
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.output is not None:
        args.output.write_text(text + "\n")


if __name__ == "__main__":
    main()
