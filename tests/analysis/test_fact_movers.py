"""Every place that rebuilds a fact to move it (past an edit, or with its statement) keeps every field.

Each fact and statement part is built with every field set to a value that is not its default, from the
class's own type hints, so a field added later is covered without touching this file. Moving by nothing
must then give back an equal value: a mover that rebuilds a fact and forgets a field puts the default
there, and the comparison names it.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, Literal

import pytest

from hscale_ls.analysis import extract_js, extract_py, facts, reuse, scan_common, text
from hscale_ls.analysis.extract import parse
from hscale_ls.analysis.text import LineIndex
from tests.analysis.test_fact_values import CLASSES


def sample(hint: Any, default: Any = dataclasses.MISSING) -> Any:
    """A value of type `hint` that is not `default` (and not empty, for a collection)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is Literal:
        return next(a for a in args if a != default)
    if origin in (typing.Union, types.UnionType):
        return sample(next(a for a in args if a is not type(None)))
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return (sample(args[0]),)
        return tuple(sample(a) for a in args)
    if origin in (list, set, frozenset):
        return origin([sample(args[0])])
    if origin is dict:
        return {sample(args[0]): sample(args[1])}
    if dataclasses.is_dataclass(hint):
        return build(hint)
    if hint is Any:
        return ("signature",)
    return {bool: not default if isinstance(default, bool) else True, int: 7, str: "x", bytes: b"x"}[hint]


def build(cls: Any) -> Any:
    hints = typing.get_type_hints(cls)
    values = {}
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        values[f.name] = sample(hints[f.name], default)
    return cls(**values)


def differences(before: Any, after: Any, where: str = "") -> list[str]:
    """The fields (dotted paths) where `after` lost what `before` held."""
    if dataclasses.is_dataclass(before) and type(before) is type(after):
        return [
            d
            for f in dataclasses.fields(before)
            for d in differences(getattr(before, f.name), getattr(after, f.name), f"{where}.{f.name}")
        ]
    if isinstance(before, tuple | list) and isinstance(after, tuple | list) and len(before) == len(after):
        return [
            d for i, (b, a) in enumerate(zip(before, after, strict=True)) for d in differences(b, a, where)
        ]
    return [] if before == after else [f"{where}: {before!r} became {after!r}"]


FACT_CLASSES = CLASSES


@pytest.mark.parametrize("cls", FACT_CLASSES, ids=lambda c: c.__name__)
def test_every_field_of_a_fact_is_set_by_the_sample(cls: Any) -> None:
    full = build(cls)
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            assert getattr(full, f.name) != f.default, f.name


def test_generated_replace_keeps_every_field() -> None:
    for cls in FACT_CLASSES:
        full = build(cls)
        for f in dataclasses.fields(cls):
            assert full.replace(**{f.name: getattr(full, f.name)}) == full
            assert full.replace() == dataclasses.replace(full)


def test_scan_movers_keep_every_field() -> None:
    span, site, use, mutation = (
        build(c) for c in (text.Span, facts.ServerSite, facts.BackendUse, facts.Mutation)
    )
    assert differences(span, scan_common.moved_span(span, 0, 0)) == []
    assert differences(site, scan_common.moved_site(site, 0, 0)) == []
    assert differences(use, scan_common.moved_backend(use, 0, 0)) == []
    assert differences(mutation, scan_common.moved_mutation(mutation, 0, 0)) == []
    assert scan_common.moved_sites([(1, site)], 0, 0) == [(1, site)]
    assert scan_common.moved_mutations([(1, ("var", "x"), mutation)], 0, 0) == [(1, ("var", "x"), mutation)]


def test_keystroke_shift_keeps_every_field() -> None:
    """`reuse.shifted` moves a document's facts past an edit on every keystroke."""
    source = b"let a = 1;\n" * 20
    tree = parse(source, "javascript")
    old = build(facts.FileFacts)
    pending = reuse.PendingEdit(
        start=0, old_end=0, new_end=0, old_leaves=(), old_facts=old, old_marker_near=False
    )
    moved = reuse.shifted(pending, LineIndex(source), tree, source, "javascript")
    # has_errors is read from the new tree, not carried
    assert differences(dataclasses.replace(old, has_errors=tree.root_node.has_error), moved) == []


@pytest.mark.parametrize("module", [extract_js, extract_py], ids=["javascript", "python"])
def test_statement_part_movers_keep_every_field(module: Any) -> None:
    """A statement's part moves with it when an edit above changes where it starts."""
    part_class = module.JsPart if module is extract_js else module.PyPart
    part = build(part_class)
    assert differences(part, module.moved(part, part.start, part.line)) == []
    # a statement with no position to move shares what it has
    contribution = part.contribution
    bare_contribution = dataclasses.replace(
        contribution,
        **{name: [] for name in ("declarations", "objects", "classes") if hasattr(contribution, name)},
    )
    movable = {
        "servers",
        "mutations",
        "loops",
        "backends",
        "membership",
        "fanout",
        "foreign",
        "comments",
        "publishes",
        "layers",
        "strings",
        "scope_calls",
    }
    bare = dataclasses.replace(
        part,
        contribution=bare_contribution,
        **{f.name: type(getattr(part, f.name))() for f in dataclasses.fields(part) if f.name in movable},
    )
    assert differences(bare, module.moved(bare, bare.start + 3, bare.line + 1)) == [
        ".start: 7 became 10",
        ".line: 7 became 8",
    ]
