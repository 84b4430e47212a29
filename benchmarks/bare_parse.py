"""The limit: parse every source file with tree-sitter on N processes and do nothing else.

python benchmarks/bare_parse.py TREE [--jobs N]
"""

from __future__ import annotations

import argparse
import os
from concurrent.futures import ProcessPoolExecutor

from hscale_ls.analysis.languages import language_for_path, parser


def parse_file(path: str) -> int:
    language = language_for_path(path)
    if language is None:
        return 0
    with open(path, "rb") as handle:
        source = handle.read()
    return parser(language).parse(source).root_node.end_byte


def sources(tree: str) -> list[str]:
    found = []
    for directory, dirnames, filenames in os.walk(tree):
        dirnames[:] = [d for d in dirnames if d != "node_modules"]
        found += [os.path.join(directory, name) for name in filenames if language_for_path(name)]
    return sorted(found)


def main() -> None:
    parser_ = argparse.ArgumentParser(description=__doc__)
    parser_.add_argument("tree")
    parser_.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser_.parse_args()
    paths = sources(args.tree)
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        total = sum(pool.map(parse_file, paths, chunksize=max(8, len(paths) // (args.jobs * 8))))
    print(f"{len(paths)} files, {total / 1e6:.1f} MB parsed")


if __name__ == "__main__":
    main()
