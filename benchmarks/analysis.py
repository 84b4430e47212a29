"""Analysis work per keystroke, in process (no protocol): apply an edit to an open 10,000-line document,
re-parse incrementally, bring its facts up to date and evaluate the project. Median, p95 and how often
the facts were carried over a comment or whitespace edit instead of re-extracted. The edit script runs
`--repeat` times on a fresh workspace and the statistics pool every sample: on a 2-core machine one
run's median moves by a millisecond or more.

    python benchmarks/analysis.py [--lines 10000] [--edits 200] [--repeat 3]
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
from benchmarks.workload import VARIANTS, edit_script, server_file
from hscale_ls.analysis.live import LiveWorkspace


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
                document.edit((rng["start"]["line"], rng["start"]["character"]),  # type: ignore[index]
                              (rng["end"]["line"], rng["end"]["character"]), str(change["text"]), "utf-16")  # type: ignore[index]  # fmt: skip
            workspace.changed(str(path))
            workspace.findings_for(str(path))
            samples.append(time.perf_counter() - started)
        return samples, document.reused


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=10000)
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    results = {language: measure(language, args.lines, args.edits, args.repeat) for language in VARIANTS}
    emit({"lines": args.lines, "languages": results}, args.output)


if __name__ == "__main__":
    main()
