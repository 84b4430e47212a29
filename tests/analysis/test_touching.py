"""The tokens around an edit decide whether a document's facts can be carried over it. They are found by
a binary search per tree level (this runs on every keystroke); they must be exactly the leaves and whole
comments a plain walk of the tree finds touching the edited range, boundaries included, in order, on
every example and fixture, on text with CRLF and astral characters, and for ranges up to and past the
end of the text.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from tree_sitter import Node

from hscale_ls.analysis.extract import parse
from hscale_ls.analysis.languages import language_for_path
from hscale_ls.analysis.reuse import comments_touching, leaves_touching

ROOT = Path(__file__).parents[2]
SOURCES = sorted(
    p
    for folder in ("examples", "tests/fixtures")
    for p in (ROOT / folder).rglob("*")
    if language_for_path(str(p)) is not None and "node_modules" not in p.parts
)


def every_token(node: Node) -> Iterator[Node]:
    """Leaves and whole comments, in document order, by visiting every node."""
    if node.type == "comment" or node.child_count == 0:
        yield node
        return
    for child in node.children:
        yield from every_token(child)


def expected(root: Node, source: bytes, start: int, end: int) -> list[tuple[str, bytes, int, int]]:
    return [
        (n.type, source[n.start_byte : n.end_byte], n.start_byte, n.end_byte)
        for n in every_token(root)
        if n.end_byte >= start and n.start_byte <= end and (n.end_byte > n.start_byte or n.is_missing)
    ]


def ranges(size: int, rng: random.Random) -> Iterator[tuple[int, int]]:
    yield from [(0, 0), (size, size), (max(0, size - 1), size + 5), (size + 3, size + 9)]
    for _ in range(120):
        start = rng.randrange(0, size + 1)
        yield start, min(size, start + rng.choice([0, 0, 1, 2, 7, 40, 300]))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_tokens_touching_an_edit_are_those_a_full_walk_finds(path: Path) -> None:
    language = language_for_path(str(path))
    assert language is not None
    rng = random.Random(path.name)
    plain = path.read_bytes()
    variants = [plain, plain.replace(b"\n", b"\r\n"), plain.replace(b" = ", " = /* 😀 é */ ".encode())]
    for source in variants:
        root = parse(source, language).root_node
        for start, end in ranges(len(source), rng):
            want = expected(root, source, start, end)
            assert list(leaves_touching(root, source, start, end)) == want, (start, end)
            assert [(n.start_byte, n.end_byte) for n in comments_touching(root, start, end)] == [
                (w[2], w[3]) for w in want if w[0] == "comment"
            ]


def test_broken_text_and_an_empty_file() -> None:
    for source in (b"", b"function (", b"io.on('x', (s) => { rooms.set(", b"def f(:\n  x = [\n"):
        language = "python" if source.startswith(b"def") else "javascript"
        root = parse(source, language).root_node
        for start in range(len(source) + 2):
            for end in (start, start + 1, start + 4):
                assert list(leaves_touching(root, source, start, end)) == expected(root, source, start, end)
