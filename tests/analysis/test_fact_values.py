"""Fact value classes build their instances with a constructor of their own (straight into the slots,
faster than the one dataclasses generates for frozen classes). It must behave as the generated one
would: same parameters, defaults, keywords, equality, hashing, pickling, `replace`, and still frozen."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from hscale_ls.analysis import facts, text
from hscale_ls.analysis.text import Point, Span

CLASSES = [
    text.Point,
    text.Span,
    facts.WriteDetail,
    facts.Mutation,
    facts.StateContainer,
    facts.ServerSite,
    facts.BackendUse,
    facts.Suppression,
    facts.FileFacts,
]
POINT = Point(1, 2, 3, 4)
SPAN = Span(POINT, POINT, 10, 12)
SAMPLES = {
    "Point": Point(1, 2, 3, 4),
    "Span": SPAN,
    "WriteDetail": facts.WriteDetail("set", False),
    "Mutation": facts.Mutation(SPAN, ("join",), 4, True, facts.WriteDetail("set", False)),
    "StateContainer": facts.StateContainer(
        "rooms", None, "module", "Map", SPAN, "subscriptions", False, (), ()
    ),
    "ServerSite": facts.ServerSite("socket.io", SPAN, "io", True, False, None),
    "BackendUse": facts.BackendUse(SPAN, "redis", "write", "history", "xAdd", -1),
    "Suppression": facts.Suppression(3, frozenset({"presence-in-memory"}), "one box"),
    "FileFacts": facts.FileFacts("/a/server.js", "javascript", "server"),
}


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_fact_values_behave_as_frozen_dataclasses(cls: type) -> None:
    sample = SAMPLES[cls.__name__]
    values = {f.name: getattr(sample, f.name) for f in dataclasses.fields(cls)}
    assert cls(**values) == sample and hash(cls(**values)) == hash(sample)
    assert cls(*values.values()) == sample
    assert pickle.loads(pickle.dumps(sample)) == sample
    first = dataclasses.fields(cls)[0].name
    assert dataclasses.replace(sample, **{first: values[first]}) == sample
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(sample, first, values[first])
    required = [f.name for f in dataclasses.fields(cls) if f.default is dataclasses.MISSING]
    with pytest.raises(TypeError):
        cls(*[values[name] for name in required[:-1]])  # one required argument short
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            assert getattr(cls(*[values[name] for name in required]), f.name) == f.default


def test_defaults_are_the_declared_ones() -> None:
    bare = facts.FileFacts("/a/x.py", "python", "server")
    assert (bare.servers, bare.handler_calls, bare.has_errors) == ((), frozenset(), False)
    assert facts.BackendUse(SPAN, "redis", "write", None, "set", -1).requires == ""
    assert facts.Suppression(1, frozenset(), "").at == -1
