"""Bring the labelled repositories onto this machine at the commits their labels name:
`SNAPSHOTS/<owner>__<name>/`, each a checkout without history. Needs git and network access.

    python benchmarks/realworld/fetch.py SNAPSHOTS [--only NAME ...]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

LABELS = Path(__file__).resolve().parent / "labels"


def fetch(repo: str, commit: str, target: Path) -> None:
    if (target / ".hscale-snapshot").is_file() and (
        target / ".hscale-snapshot"
    ).read_text().strip() == commit:
        return
    target.mkdir(parents=True, exist_ok=True)
    git = ["git", "-C", str(target)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run(
        [*git, "fetch", "-q", "--depth", "1", f"https://github.com/{repo}.git", commit], check=True
    )
    subprocess.run([*git, "checkout", "-q", "--force", "FETCH_HEAD"], check=True)
    (target / ".hscale-snapshot").write_text(commit + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("snapshots", type=Path)
    parser.add_argument("--only", nargs="*", default=[])
    args = parser.parse_args()
    seen: set[str] = set()
    for path in sorted(LABELS.glob("*.json")):
        label = json.loads(path.read_text())
        folder = "__".join(path.stem.split("__")[:2])
        if folder in seen or (args.only and not any(part in folder for part in args.only)):
            continue
        seen.add(folder)
        print(f"{label['repo']} @ {label['commit'][:12]}", flush=True)
        fetch(label["repo"], label["commit"], args.snapshots / folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
