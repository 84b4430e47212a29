"""Reusing a document's facts across an edit that touches only comments or whitespace.

Facts come from code tokens; an edit whose old and new text around it holds nothing but comments and
whitespace (and does not change the tree elsewhere) leaves them as they were, only moved. Typing in
a comment or adding blank lines then costs an incremental parse and a position shift instead of a
full extraction. Anything else takes the full path, so the result always equals a fresh analysis.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node, Tree

from .facts import BackendUse, FileFacts, Mutation, ServerSite, StateContainer
from .languages import LanguageId
from .scan_common import suppressions_in
from .text import LineIndex, Point, Span

_SOURCE_MARKERS = (b"text/event-stream", b"new WebSocket(", b"new EventSource(", b"document.", b"use client")
_LONGEST_MARKER = max(len(marker) for marker in _SOURCE_MARKERS)


@dataclass(frozen=True, slots=True)
class PendingEdit:
    start: int
    old_end: int
    new_end: int
    old_leaves: tuple[Leaf, ...]
    old_facts: FileFacts
    old_marker_near: bool  # a source marker overlapped the edited text before the edit
    line_delta: int = 0  # newlines added minus newlines removed
    single_line: bool = False  # neither the removed nor the inserted text holds a line break

    @property
    def delta(self) -> int:
        return self.new_end - self.old_end


Leaf = tuple[str, bytes, int, int]  # type, text, start and end byte


def _touching(root: Node, start: int, end: int) -> Iterator[Node]:
    """Comments (whole) and leaf tokens that touch [start, end], boundaries included, in order.

    Each level is entered by a binary search for its first child that ends at or after `start`: the
    top level of a long file has hundreds of statements, and this runs on every keystroke.
    (`Node.first_child_for_byte` would do it, but it crashes the process past the end of a node.)
    """
    stack = [root]
    while stack:
        node = stack.pop()
        if node.end_byte < start or node.start_byte > end:
            continue
        count = node.child_count
        if count == 0 or node.type == "comment":
            yield node
            continue
        low, high = 0, count
        while low < high:
            middle = (low + high) // 2
            child = node.child(middle)
            if child is not None and child.end_byte < start:
                low = middle + 1
            else:
                high = middle
        found = []
        after = node.child(low) if low < count else None
        while after is not None and after.start_byte <= end:
            found.append(after)
            after = after.next_sibling
        stack.extend(reversed(found))


def leaves_touching(root: Node, source: bytes, start: int, end: int) -> tuple[Leaf, ...]:
    """Leaf tokens (and comments, whole) that touch [start, end], boundaries included, in order."""
    return tuple(
        (node.type, source[node.start_byte : node.end_byte], node.start_byte, node.end_byte)
        for node in _touching(root, start, end)
        if node.end_byte > node.start_byte or node.is_missing
    )


def marker_near(source: bytes, start: int, end: int) -> bool:
    """A source marker (text the extractors look for anywhere in a file) overlaps [start, end]. When
    none does before or after an edit, the markers elsewhere only moved: no need to search the file."""
    window = source[max(0, start - _LONGEST_MARKER) : end + _LONGEST_MARKER]
    return any(marker in window for marker in _SOURCE_MARKERS)


def only_comments(leaves: tuple[Leaf, ...]) -> bool:
    return all(leaf[0] == "comment" for leaf in leaves)


def reusable(pending: PendingEdit, old_tree: Tree, new_tree: Tree, new_source: bytes) -> bool:
    if not only_comments(pending.old_leaves):
        return False
    new_leaves = leaves_touching(new_tree.root_node, new_source, pending.start, pending.new_end)
    if not only_comments(new_leaves):
        return False
    if pending.old_marker_near or marker_near(new_source, pending.start, pending.new_end):
        return False
    if (old_tree.root_node.has_error or new_tree.root_node.has_error) and (
        _in_string(old_tree, pending.start, pending.old_end)
        or _in_string(new_tree, pending.start, pending.new_end)
    ):
        return False  # a parser recovering from an error can put a comment inside a string (a module name)
    if pending.single_line and _same_extent(pending, new_leaves):
        # Text changed inside comments whose ends are where they were: every token outside is the
        # same, and so is every line break, which is all that automatic semicolons and indentation
        # look at. The parse is the same outside the edit.
        return True
    for changed in old_tree.changed_ranges(new_tree):
        if changed.start_byte < pending.start or changed.end_byte > pending.new_end:
            return False  # the parse changed somewhere else too
    return True


def _in_string(tree: Tree, start: int, end: int) -> bool:
    node = tree.root_node.descendant_for_byte_range(start, end)
    while node is not None:
        if node.type in {"string", "template_string"}:
            return True
        node = node.parent
    return False


def _same_extent(pending: PendingEdit, new_leaves: tuple[Leaf, ...]) -> bool:
    old = pending.old_leaves
    if len(old) != len(new_leaves):
        return False
    if not old:  # blank space: leading spaces are indentation in Python, so let the parser say
        return False
    return old[0][2] == new_leaves[0][2] and old[-1][3] + pending.delta == new_leaves[-1][3]


def shifted(
    pending: PendingEdit, index: LineIndex, tree: Tree, source: bytes, language: LanguageId
) -> FileFacts:
    """The old facts with every position moved past the edit; suppressions in the edited text re-read."""
    end_line = index.point(pending.new_end).line
    old_end, delta, line_delta = pending.old_end, pending.delta, pending.line_delta

    def point(old: Point, offset: int) -> Point:
        if offset < old_end:
            return old
        if old.line + line_delta == end_line:  # on the edited line: the columns change too
            return index.point(offset + delta)
        if not line_delta:  # typing within a line: later lines keep their points
            return old
        return old.replace(line=old.line + line_delta)

    def span(old: Span) -> Span:
        start, end = old.start_byte, old.end_byte
        if end < old_end and start < old_end:
            return old
        return old.replace(
            start=point(old.start, start),
            end=point(old.end, end),
            start_byte=start + delta if start >= old_end else start,
            end_byte=end + delta,
        )

    def scope(value: int) -> int:
        return value + delta if value >= old_end else value

    def mutations(found: tuple[Mutation, ...]) -> tuple[Mutation, ...]:
        # This runs for every fact after the edit, per keystroke: one loop, no helpers in the common
        # case. A mutation's function starts before it, so a mutation that ends before the edit did
        # not move, and neither did its scope.
        moved: list[Mutation] = []
        add = moved.append
        unmoved = 0
        for m in found:
            old_span = m.span
            start = old_span.start_byte
            if old_span.end_byte < old_end:
                add(m)
                unmoved += 1
                continue
            if start >= old_end and not line_delta and old_span.start.line != end_line:
                # typing within a line above: only the byte offsets move
                new_span = old_span.replace(start_byte=start + delta, end_byte=old_span.end_byte + delta)
            else:
                new_span = span(old_span)
            scope = m.scope
            add(m.replace(span=new_span, scope=scope + delta if scope >= old_end else scope))
        return found if unmoved == len(found) else tuple(moved)

    def container(c: StateContainer) -> StateContainer:
        found = mutations(c.mutations)
        if (
            c.span.end_byte < old_end
            and found is c.mutations
            and all(b.end_byte < old_end for b in c.broadcasts)
        ):
            return c
        return c.replace(span=span(c.span), mutations=found, broadcasts=tuple(span(b) for b in c.broadcasts))

    def server(s: ServerSite) -> ServerSite:
        return s.replace(span=span(s.span), broadcasts=tuple(span(b) for b in s.broadcasts))

    def backend(b: BackendUse) -> BackendUse:
        return b.replace(span=span(b.span), scope=scope(b.scope))

    facts = pending.old_facts
    kept = tuple(
        s if s.at < pending.start else s.replace(line=s.line + pending.line_delta, at=s.at + pending.delta)
        for s in facts.suppressions
        if s.at < pending.start or s.at >= pending.old_end
    )
    region = [n for n in comments_touching(tree.root_node, pending.start, pending.new_end)]
    fresh = suppressions_in(region, source, index, language)
    return facts.replace(
        servers=tuple(server(s) for s in facts.servers),
        containers=tuple(container(c) for c in facts.containers),
        backends=tuple(backend(b) for b in facts.backends),
        membership_calls=tuple(span(s) for s in facts.membership_calls),
        fanout_calls=tuple(span(s) for s in facts.fanout_calls),
        foreign_writes=tuple(
            w.replace(mutations=mutations(w.mutations), broadcasts=tuple(span(b) for b in w.broadcasts))
            for w in facts.foreign_writes
        ),
        scope_calls=tuple([(k + delta, v) if k >= old_end else (k, v) for k, v in facts.scope_calls]),
        suppressions=tuple(sorted(kept + fresh, key=lambda s: s.at)),
        has_errors=tree.root_node.has_error,
    )


def comments_touching(root: Node, start: int, end: int) -> list[Node]:
    return [node for node in _touching(root, start, end) if node.type == "comment"]
