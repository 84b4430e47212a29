"""Bring the labelled repositories onto this machine at the commits their labels name:
`SNAPSHOTS/<owner>__<name>/`, each a checkout without history. Needs git and network access, or local
mirrors (`--source '/mirrors/{owner}+{name}/repo'`).

    python benchmarks/realworld/fetch.py SNAPSHOTS [--only NAME ...]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

LABELS = Path(__file__).resolve().parent / "labels"


def fetch(repo: str, commit: str, target: Path, source: str) -> None:
    if (target / ".hscale-snapshot").is_file() and (
        target / ".hscale-snapshot"
    ).read_text().strip() == commit:
        return
    owner, name = repo.split("/")
    where = source.format(repo=repo, owner=owner, name=name)
    target.mkdir(parents=True, exist_ok=True)
    if Path(where).is_dir():
        export(Path(where), commit, target)
    else:
        git = ["git", "-C", str(target)]
        subprocess.run([*git, "init", "-q"], check=True)
        subprocess.run([*git, "fetch", "-q", "--depth", "1", where, commit], check=True)
        subprocess.run([*git, "checkout", "-q", "--force", "FETCH_HEAD"], check=True)
    (target / ".hscale-snapshot").write_text(commit + "\n")


def export(mirror: Path, commit: str, target: Path) -> None:
    """Write the files of `commit` from a local repository. A mirror may lack its largest blobs
    (images, archives); those are left out rather than failing the whole snapshot."""
    git = ["git", "--git-dir", str(mirror if (mirror / "objects").is_dir() else mirror / ".git")]
    listing = subprocess.run(
        [*git, "ls-tree", "-r", "-z", commit], check=True, capture_output=True
    ).stdout.split(b"\0")
    entries = []
    for entry in listing:
        if not entry:
            continue
        meta, path = entry.split(b"\t", 1)
        mode, kind, oid = meta.split()
        if kind == b"blob" and mode != b"120000":
            entries.append((oid.decode(), path.decode("utf-8", "surrogateescape")))
    batch = subprocess.Popen([*git, "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert batch.stdin is not None and batch.stdout is not None
    missing = 0
    for oid, path in entries:
        batch.stdin.write(oid.encode() + b"\n")
        batch.stdin.flush()
        header = batch.stdout.readline().split()
        if len(header) < 3:
            missing += 1
            continue
        body = batch.stdout.read(int(header[2]))
        batch.stdout.read(1)
        out = target / path
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(body)
    batch.stdin.close()
    batch.wait()
    if missing:
        print(f"  {missing} file(s) absent from the mirror were left out", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("snapshots", type=Path)
    parser.add_argument("--only", nargs="*", default=[])
    parser.add_argument(
        "--source",
        default="https://github.com/{repo}.git",
        help="where to fetch each repository from; {repo}, {owner} and {name} are filled in "
        "(for example a folder of local mirrors: '/mirrors/{owner}+{name}/repo')",
    )
    args = parser.parse_args()
    seen: set[str] = set()
    for path in sorted(LABELS.glob("*.json")):
        label = json.loads(path.read_text())
        folder = "__".join(path.stem.split("__")[:2])
        if folder in seen or (args.only and not any(part in folder for part in args.only)):
            continue
        seen.add(folder)
        print(f"{label['repo']} @ {label['commit'][:12]}", flush=True)
        fetch(label["repo"], label["commit"], args.snapshots / folder, args.source)
    return 0


if __name__ == "__main__":
    sys.exit(main())
