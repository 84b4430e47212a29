"""Score hscale-ls on the labelled real-world development set: precision and recall of findings, and
verdict accuracy per project, against labels written by reading each repository before running the tool.

The repositories are not in this tree: bring each one in at the commit its label names and unpack it
as `SNAPSHOTS/<owner>__<name>/` (see README.md beside this file). Only labels live here.

    python benchmarks/realworld/score.py SNAPSHOTS [--only NAME ...] [--details] [--json FILE]

Matching: a finding matches an expected one when both name the same rule and file, and either their
lines are at most 2 apart or the finding names the same identifier (a same-name match is preferred).
Each expected finding matches at most once. Optional expected findings count neither way. A project the labels do not list is expected
to be skipped with no findings.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
LABELS = HERE / "labels"
LINE_SLACK = 2
_NAME = re.compile(r"`([^`]+)`")


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    verdicts_right: int = 0
    verdicts: int = 0
    notes: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.verdicts_right += other.verdicts_right
        self.verdicts += other.verdicts

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def accuracy(self) -> float:
        return self.verdicts_right / self.verdicts if self.verdicts else 1.0


def run_tool(command: list[str], snapshot: Path, scan: str, what: str) -> dict:
    done = subprocess.run(
        [*command, what, "--format", "json", "--no-cache", scan],
        cwd=snapshot,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if done.returncode not in (0, 1, 3):
        raise RuntimeError(f"{what} failed in {snapshot} ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(done.stdout)


def _norm(path: str) -> str:
    path = path.replace(os.sep, "/")
    return "." if path in {"", "."} else path.removeprefix("./").rstrip("/")


def _finding_name(finding: dict) -> str:
    found = _NAME.search(finding.get("message", ""))
    return found.group(1) if found else ""


def _close(finding: dict, entry: dict) -> bool:
    if _norm(finding["path"]) != _norm(entry["path"]):
        return False
    name = entry.get("name") or ""
    return abs(int(finding["line"]) - int(entry["line"])) <= LINE_SLACK or (
        bool(name) and name == _finding_name(finding)
    )


def score_label(label_path: Path, snapshots: Path, command: list[str]) -> Score:
    label = json.loads(label_path.read_text())
    name = label_path.stem.split("__")
    snapshot = snapshots / f"{name[0]}__{name[1]}"
    score = Score()
    if not snapshot.is_dir():
        score.notes.append(f"MISSING snapshot {snapshot}")
        return score
    scan = label.get("scan", ".")
    findings = run_tool(command, snapshot, scan, "check")["findings"]
    audit = run_tool(command, snapshot, scan, "audit")
    expected = [dict(e, _project=p["root"]) for p in label["projects"] for e in p.get("expected", [])]
    avoid = [dict(e, _project=p["root"]) for p in label["projects"] for e in p.get("must_not_flag", [])]
    ordered = sorted(findings, key=lambda f: (f["path"], f["line"]))
    pairs = sorted(
        ((e.get("name") or "") != _finding_name(f), abs(int(f["line"]) - int(e["line"])), fi, ei)
        for fi, f in enumerate(ordered)
        for ei, e in enumerate(expected)
        if e["rule"] == f["rule"] and _close(f, e)
    )
    matched: set[int] = set()
    assigned: dict[int, int] = {}
    for _, _, fi, ei in pairs:  # same-name matches first, then the nearest lines
        if fi not in assigned and ei not in matched:
            assigned[fi] = ei
            matched.add(ei)
    for fi, finding in enumerate(ordered):
        where = f"{finding['path']}:{finding['line']} {finding['rule']} `{_finding_name(finding)}`"
        if fi in assigned:
            if not expected[assigned[fi]].get("optional"):
                score.tp += 1
            continue
        score.fp += 1
        listed = next((a for a in avoid if _close(finding, a)), None)
        score.notes.append(f"FP {where}" + (f"  (listed: {listed.get('why', '')})" if listed else ""))
    for index, entry in enumerate(expected):
        if index not in matched and not entry.get("optional"):
            score.fn += 1
            score.notes.append(
                f"FN {entry['path']}:{entry['line']} {entry['rule']} `{entry.get('name', '')}`"
            )
    tool = {_norm(p["project"]): p for p in audit.get("projects", [])}
    if not audit.get("projects") and "verdict" in audit:
        tool = {_norm(audit.get("project", scan)): audit}  # one project: the audit is that project's
    labelled = {_norm(p["root"]): p for p in label["projects"]}
    for root in sorted(set(labelled) | {r for r, p in tool.items() if p["verdict"] != "skip"}):
        want = labelled[root]["verdict"] if root in labelled else "skip"
        got = tool[root]["verdict"] if root in tool else "skip"
        score.verdicts += 1
        if want == got:
            score.verdicts_right += 1
        else:
            detail = tool[root]["detail"] if root in tool else "(no project)"
            score.notes.append(f"VERDICT {root}: expected {want}, got {got} - {detail}")
    return score


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("snapshots", type=Path, help="folder holding <owner>__<name>/ checkouts")
    parser.add_argument("--only", nargs="*", default=[], help="label names (or parts of them) to score")
    parser.add_argument(
        "--details", action="store_true", help="list every miss, false alarm and wrong verdict"
    )
    parser.add_argument("--json", type=Path, help="also write the scores here")
    parser.add_argument("--command", default=f"{sys.executable} -m hscale_ls", help="how to run hscale-ls")
    args = parser.parse_args()
    command = args.command.split()
    total = Score()
    rows = []
    for label_path in sorted(LABELS.glob("*.json")):
        if args.only and not any(part in label_path.stem for part in args.only):
            continue
        score = score_label(label_path, args.snapshots.resolve(), command)
        total.add(score)
        rows.append((label_path.stem, score))
        print(
            f"{label_path.stem:55} tp {score.tp:3} fp {score.fp:3} fn {score.fn:3}  "
            f"verdicts {score.verdicts_right}/{score.verdicts}"
        )
        if args.details:
            for note in score.notes:
                print("    " + note)
    print(
        f"\n{len(rows)} repositories: precision {total.precision:.2f} ({total.tp}/{total.tp + total.fp}), "
        f"recall {total.recall:.2f} ({total.tp}/{total.tp + total.fn}), "
        f"verdict accuracy {total.accuracy:.2f} ({total.verdicts_right}/{total.verdicts})"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "precision": round(total.precision, 3),
                    "recall": round(total.recall, 3),
                    "verdict_accuracy": round(total.accuracy, 3),
                    "repositories": {
                        name: {
                            "tp": s.tp,
                            "fp": s.fp,
                            "fn": s.fn,
                            "verdicts": [s.verdicts_right, s.verdicts],
                            "notes": s.notes,
                        }
                        for name, s in rows
                    },
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
