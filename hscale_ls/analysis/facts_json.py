"""File facts to and from plain JSON values, for the facts cache.

Decoding is driven by the declared field types of an explicit list of fact classes: a value can only
become one of those classes, a tuple, a frozenset or a JSON scalar of the declared type, so a damaged
or hostile cache file can make decoding fail (`DamagedFacts`) but never run code. Each object is a
positional array of its fields, a span one flat array of integers, and a table of callees three
columns (`_table_json`).
"""

from __future__ import annotations

import types
from collections.abc import Callable
from dataclasses import fields
from functools import partial
from itertools import chain
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from .facts import (
    BackendUse,
    FileFacts,
    ForeignWrite,
    Mutation,
    ServerSite,
    SettingFact,
    SettingsFacts,
    StateContainer,
    Suppression,
    WriteDetail,
)
from .text import Point, Span

FACT_CLASSES: tuple[type, ...] = (
    WriteDetail,
    Mutation,
    StateContainer,
    ForeignWrite,
    ServerSite,
    BackendUse,
    Suppression,
    FileFacts,
    SettingFact,
    SettingsFacts,
)

Decoder = Callable[[Any], Any]
_INT, _LIST = {int}, {list}


class DamagedFacts(ValueError):
    """A cached value does not have the shape its declared type asks for."""


def _span_json(span: Span) -> list[int]:
    start, end = span.start, span.end
    if start.byte == start.char == start.utf16 and end.byte == end.char == end.utf16:  # ASCII columns
        return [start.line, start.byte, end.line, end.byte, span.start_byte, span.end_byte]
    return [
        start.line,
        start.byte,
        start.char,
        start.utf16,
        end.line,
        end.byte,
        end.char,
        end.utf16,
        span.start_byte,
        span.end_byte,
    ]


def _span(value: Any) -> Span:
    if type(value) is not list or set(map(type, value)) != _INT:
        raise DamagedFacts("span")
    if len(value) == 6:
        sl, sc, el, ec, start_byte, end_byte = value
        return Span(Point(sl, sc, sc, sc), Point(el, ec, ec, ec), start_byte, end_byte)
    if len(value) == 10:
        return Span(Point(*value[0:4]), Point(*value[4:8]), value[8], value[9])
    raise DamagedFacts("span")


def _scalar(kind: type) -> Decoder:
    def decode(value: Any) -> Any:
        if type(value) is not kind:
            raise DamagedFacts(kind.__name__)
        return value

    return decode


def _sequence(value: Any) -> list[Any]:
    if type(value) is not list:
        raise DamagedFacts("array")
    return value


def _collection(build: Callable[[Any], Any], hint: Any) -> Decoder:
    if hint is str:  # sets of names (imports, handler calls): checked in one pass in C

        def names(value: Any) -> Any:
            try:
                "".join(value)  # raises TypeError unless every item is a str
            except TypeError:
                raise DamagedFacts("names") from None
            if type(value) is not list:
                raise DamagedFacts("names")
            return build(value)

        return names
    item = _decoder(hint)
    return lambda value: build(map(item, _sequence(value)))


def _positional(build: Callable[..., Any], hints: list[Any]) -> Decoder:
    """A decoder of a fixed-length array into `build(*fields)`, written out as one function (like the
    `__init__` of `fact_value`, from the declared fields only): a cache holds objects by the hundred
    thousand, and a call per field doubled the time a warm scan takes to load it."""
    namespace: dict[str, Any] = {"build": build, "DamagedFacts": DamagedFacts, "list": list}
    items = [f"v{i}" for i in range(len(hints))]
    lines = ["def decode(value):", "    if type(value) is not list:", "        raise DamagedFacts('array')"]
    lines.append(f"    {', '.join(items)}, = value")  # ValueError on another length
    arguments = []
    for item, hint in zip(items, hints, strict=True):
        if hint in (int, str, bool):
            namespace[hint.__name__] = hint
            lines.append(f"    if type({item}) is not {hint.__name__}:")
            lines.append(f"        raise DamagedFacts('{hint.__name__}')")
            arguments.append(item)
        else:
            namespace[f"decode_{item}"] = _decoder(hint)
            arguments.append(f"decode_{item}({item})")
    lines.append(f"    return build({', '.join(arguments)})")
    exec("\n".join(lines), namespace)
    decode: Decoder = namespace["decode"]
    return decode


def _decoder(hint: Any) -> Decoder:
    if hint is Span:
        return _span
    if hint in (int, str, bool):
        return _scalar(hint)
    if hint in FACT_CLASSES:
        return _DECODERS[hint]
    origin, arguments = get_origin(hint), get_args(hint)
    if origin is Literal:
        allowed = frozenset(arguments)

        def literal(value: Any) -> Any:
            if type(value) is not str or value not in allowed:
                raise DamagedFacts("literal")
            return value

        return literal
    if origin in (Union, types.UnionType) and type(None) in arguments and len(arguments) == 2:
        inner = _decoder(next(a for a in arguments if a is not type(None)))
        return lambda value: None if value is None else inner(value)
    if _is_table(hint):
        return _table(arguments[0].__args__[0])
    if origin is tuple and len(arguments) == 2 and arguments[1] is Ellipsis:
        return _collection(tuple, arguments[0])
    if origin is tuple:
        return _positional(lambda *parts: parts, list(arguments))
    if origin is frozenset:
        return _collection(frozenset, arguments[0])
    raise TypeError(f"facts of type {hint!r} cannot be cached")


def _is_table(hint: Any) -> bool:
    """`tuple[tuple[str | int, frozenset[str]], ...]`: each function's (or scope's) callees, by the
    ten thousand in a cache."""
    if get_origin(hint) is not tuple or get_args(hint)[1:] != (Ellipsis,):
        return False
    row = get_args(hint)[0]
    return get_origin(row) is tuple and get_args(row) in ((str, frozenset[str]), (int, frozenset[str]))


def _table_json(rows: tuple[tuple[Any, frozenset[str]], ...]) -> list[Any]:
    """Three columns: the distinct names, the keys and the callees (names as indices into the first).
    A file calls the same few names from many functions: each is decoded (and hashed) once, and the
    decoding loops run in C."""
    index: dict[str, int] = {}
    number = index.setdefault
    keys = [number(key, len(index)) if type(key) is str else key for key, _ in rows]
    callees = [[number(name, len(index)) for name in names] for _, names in rows]
    return [list(index), keys, callees]


def _table(key: type) -> Decoder:
    def decode(value: Any) -> Any:
        if type(value) is not list or len(value) != 3:
            raise DamagedFacts("table")
        names, keys, callees = value
        if type(names) is not list or type(keys) is not list or type(callees) is not list:
            raise DamagedFacts("table")
        if len(keys) != len(callees) or not set(map(type, callees)) <= _LIST:
            raise DamagedFacts("table")
        if not set(map(type, chain(keys, chain.from_iterable(callees)))) <= _INT:
            raise DamagedFacts("table")
        try:
            "".join(names)  # raises TypeError unless every item is a str
            name = names.__getitem__
            return tuple(
                zip(
                    map(name, keys) if key is str else keys,
                    map(frozenset, map(partial(map, name), callees)),
                    strict=True,
                )
            )
        except (TypeError, IndexError):
            raise DamagedFacts("table") from None

    return decode


def _field_hints(cls: type) -> list[Any]:
    hints = get_type_hints(cls)
    return [hints[f.name] for f in fields(cls)]


_DECODERS: dict[type, Decoder] = {}
for _cls in FACT_CLASSES:  # in dependency order: a class's parts are built before it
    _DECODERS[_cls] = _positional(_cls, _field_hints(_cls))


def to_json(value: Any) -> Any:
    """A fact (or any value inside one) as JSON-ready lists and scalars."""
    kind = type(value)
    if kind is Span:
        return _span_json(value)
    if kind in (tuple, frozenset):
        return [to_json(item) for item in value]
    parts = _FIELDS.get(kind)
    if parts is not None:
        return [encode(getattr(value, name)) for name, encode in parts]
    if value is None or kind in (int, str, bool):
        return value
    raise TypeError(f"{kind.__name__} cannot be cached")


_FIELDS = {
    cls: tuple(
        (f.name, _table_json if _is_table(hint) else to_json)
        for f, hint in zip(fields(cls), _field_hints(cls), strict=True)
    )
    for cls in FACT_CLASSES
}


decode_file_facts: Decoder = _DECODERS[FileFacts]
"""FileFacts from `to_json`'s output; raises DamagedFacts (or TypeError) on anything else."""

decode_settings_facts: Decoder = _DECODERS[SettingsFacts]
"""SettingsFacts (of a settings file, `file_kinds`) from `to_json`'s output, the same way."""
