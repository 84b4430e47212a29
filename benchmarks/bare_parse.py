"""The limit: parse every source file with tree-sitter on N processes and do nothing else.

With `--query rare`, also run a one-pattern query for a node type these files hardly contain: what
visiting every node of every tree costs any tool that reads trees through queries. With `--query
facts`, run hscale-ls's own fact query and keep its captures: everything `check` does in C before its
Python extraction starts.

python benchmarks/bare_parse.py TREE [--jobs N] [--query none|rare|facts]
"""

from __future__ import annotations

import argparse
import os
from concurrent.futures import ProcessPoolExecutor
from functools import cache, partial

from tree_sitter import Query, QueryCursor

from hscale_ls.analysis.languages import LanguageId, fact_query, grammar, language_for_path, parser

RARE = {"python": "(nonlocal_statement) @rare"}  # ECMAScript: `debugger;`


@cache
def query_for(language: LanguageId, kind: str) -> Query:
    if kind == "facts":
        return fact_query(language)
    return Query(grammar(language), RARE.get(language, "(debugger_statement) @rare"))


def parse_file(path: str, query: str = "none") -> int:
    language = language_for_path(path)
    if language is None:
        return 0
    with open(path, "rb") as handle:
        source = handle.read()
    root = parser(language).parse(source).root_node
    if query != "none":
        QueryCursor(query_for(language, query)).captures(root)
    return root.end_byte


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
    parser_.add_argument("--query", choices=("none", "rare", "facts"), default="none")
    args = parser_.parse_args()
    paths = sources(args.tree)
    work = partial(parse_file, query=args.query)
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        total = sum(pool.map(work, paths, chunksize=max(8, len(paths) // (args.jobs * 8))))
    print(f"{len(paths)} files, {total / 1e6:.1f} MB parsed")


if __name__ == "__main__":
    main()
