"""Analysis work per keystroke, in process (no protocol): apply an edit to an open 10,000-line document,
re-parse incrementally, bring its facts up to date and evaluate the project. Median, p95 and how often
the facts were carried over a comment or whitespace edit instead of re-extracted. The edit script runs
`--repeat` times on a fresh workspace and the statistics pool every sample: on a 2-core machine one
run's median moves by a millisecond or more.

Then the same for a server file in one large project (`--project-files`, the scan benchmark's generated
tree as a single project): here the cost is evaluating the project, and the baseline measured in the
same run is a fresh evaluation of every file's facts after each edit (what each keystroke cost before
the project's call graph and imports were carried from one evaluation to the next).

    python benchmarks/analysis.py [--lines 10000] [--edits 200] [--repeat 3] [--project-files 2000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import emit
from benchmarks.generate import one_project
from benchmarks.workload import VARIANTS, edit_script, project_edits, server_file
from hscale_ls.analysis.live import LiveWorkspace
from hscale_ls.analysis.project import evaluate


def measure(language: str, lines: int, edits: int, repeat: int) -> dict[str, float]:
    samples: list[float] = []
    reused = 0
    for _ in range(repeat):
        found, carried = run_script(language, lines, edits)
        samples += found
        reused += carried
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples) * 1000, 2),
        "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)] * 1000, 2),
        "facts_reused": reused // repeat,
        "edits": edits,
        "runs": repeat,
    }


def run_script(language: str, lines: int, edits: int) -> tuple[list[float], int]:
    name = VARIANTS[language][0]
    text = server_file(language, lines)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_text(text)
        workspace = LiveWorkspace()
        workspace.index_folder(folder)
        document = workspace.open(str(path), language, 1, text)  # type: ignore[arg-type]
        workspace.findings_for(str(path))
        samples = []
        for changes in edit_script(text, language, edits):
            started = time.perf_counter()
            for change in changes:
                rng = change["range"]  # type: ignore[index]
                document.edit(
                    (rng["start"]["line"], rng["start"]["character"]),  # type: ignore[index]
                    (rng["end"]["line"], rng["end"]["character"]),
                    str(change["text"]),
                    "utf-16",
                )  # type: ignore[index]
            workspace.changed(str(path))
            workspace.findings_for(str(path))
            samples.append(time.perf_counter() - started)
        return samples, document.reused


def measure_project(files: int, edits: int) -> dict[str, float | int]:
    """Keystrokes in the first server file of one project of `files` files: typing in a comment and
    adding and removing a call in a handler, with and without the evaluation state carried over."""
    with tempfile.TemporaryDirectory() as folder:
        tree = Path(folder) / "tree"
        path = str(one_project(tree, files))
        text = Path(path).read_text()
        workspace = LiveWorkspace()
        workspace.index_folder(str(tree))
        root = workspace.project_of(path)
        document = workspace.open(path, "javascript", 1, text)
        workspace.findings_for(path)
        script = project_edits(text, edits)
        carried: list[float] = []
        fresh: list[float] = []
        for start, end, new in script:
            document.edit(start, end, new, "utf-16")
            started = time.perf_counter()
            workspace.changed(path)
            workspace.findings_for(path)
            carried.append(time.perf_counter() - started)
            started = time.perf_counter()
            facts = [f for f in (workspace.facts_of(p) for p in workspace.members(root)) if f is not None]
            evaluate(root, facts, workspace.config_for)
            fresh.append(time.perf_counter() - started)
        members = len(workspace.members(root))

    def ms(samples: list[float], quantile: float) -> float:
        ordered = sorted(samples)
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * quantile))] * 1000, 2)

    return {
        "project_files": members,
        "edits": edits,
        "median_ms": ms(carried, 0.5),
        "p95_ms": ms(carried, 0.95),
        "fresh_evaluation_median_ms": ms(fresh, 0.5),
        "ratio": round(statistics.median(carried) / statistics.median(fresh), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=10000)
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--project-files", type=int, default=2000)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    results = {language: measure(language, args.lines, args.edits, args.repeat) for language in VARIANTS}
    project = measure_project(args.project_files, args.edits)
    emit({"lines": args.lines, "languages": results, "large_project": project}, args.output)


if __name__ == "__main__":
    main()
