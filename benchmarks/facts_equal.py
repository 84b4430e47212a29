"""Facts of every example, fixture and generated benchmark tree, written out or compared with a earlier run.

A refactor of the extractors must leave these facts as they were: run `--write before.json` on the old
code and `--compare before.json` on the new one. Each file is read twice, as a scan reads it (whole
file) and as an open document is read (per top-level statement), and both must match.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import fields, is_dataclass
from pathlib import Path

from benchmarks.generate import generate
from benchmarks.workload import server_file
from hscale_ls.analysis.extract import file_facts, parse
from hscale_ls.analysis.languages import language_for_path
from hscale_ls.analysis.statements import StatementFacts
from hscale_ls.analysis.text import LineIndex


def canonical(value: object) -> object:
    """A fact as JSON, sets sorted: the same facts give the same text in every process."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: canonical(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, frozenset | set):
        return sorted((canonical(v) for v in value), key=json.dumps)
    if isinstance(value, tuple | list):
        return [canonical(v) for v in value]
    return value


ROOT = Path(__file__).resolve().parent.parent


def _facts_of(base: Path, label: str, found: dict[str, object]) -> None:
    for path in sorted(base.rglob("*")):
        language = language_for_path(path.name)
        if language is None or not path.is_file() or "node_modules" in path.parts:
            continue
        source = path.read_bytes()
        key = f"{label}/{path.relative_to(base).as_posix()}"
        whole = canonical(file_facts(key, source, language))
        parts = StatementFacts().facts(key, language, source, parse(source, language), LineIndex(source))
        found[key] = whole
        if canonical(parts) != whole:
            found[key + "#statements"] = canonical(parts)


def collect() -> dict[str, object]:
    found: dict[str, object] = {}
    _facts_of(ROOT / "examples", "examples", found)
    _facts_of(ROOT / "tests" / "fixtures", "fixtures", found)
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        generate(tree, 300, 3.0, seed=1)
        _facts_of(tree, "generated", found)
        for language, suffix in (("javascript", "js"), ("typescript", "ts"), ("python", "py")):
            (Path(tmp) / "workload").mkdir(exist_ok=True)
            (Path(tmp) / "workload" / f"server.{suffix}").write_text(server_file(language, 2000))
        _facts_of(Path(tmp) / "workload", "workload", found)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", type=Path)
    group.add_argument("--compare", type=Path)
    args = parser.parse_args()
    found = collect()
    if args.write:
        args.write.write_text(json.dumps(found, sort_keys=True))
        print(f"{len(found)} files' facts written to {args.write}")
        return 0
    before = json.loads(args.compare.read_text())
    now = json.loads(json.dumps(found, sort_keys=True))
    added = sorted(now.keys() - before.keys())
    changed = sorted(k for k in before if before.get(k) != now.get(k))
    for key in changed[:40]:
        print(f"differs: {key}")
    for key in added:
        print(f"new: {key}")
    print(f"{len(before)} files compared, {len(changed)} differ; {len(added)} new files")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
