"""Positions in source text: byte offsets (tree-sitter), code points (CLI) and UTF-16 units (LSP).

Everything here works on UTF-8 bytes. Lines end where the LSP says they do: at LF, CR LF or a bare
CR (and nowhere else: a form feed, U+0085 or U+2028 is text). A line's end is not part of its text, so
CRLF files report the same columns as LF ones.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import MISSING, dataclass, fields
from dataclasses import replace as dataclass_replace
from operator import attrgetter
from typing import Any, TypeVar

T = TypeVar("T")

_LINE_END = re.compile(rb"\r\n?|\n")


def _bare_crs(data: bytes, starts: list[int]) -> int:
    return sum(1 for start in starts if data[start - 1] == 13)  # a line start right after a CR alone


def _line_starts(data: bytes, start: int, end: int, bare: int | None = None) -> list[int]:
    """Offsets in (start, end] where a line begins, for the line ends found in data[start:end];
    `bare`, when known, is how many CRs stand alone there."""
    if bare is None:
        bare = data.count(b"\r", start, end) - data.count(b"\r\n", start, end + 1)
    if not bare:  # LF and CR LF only, the common case: `find` is fast
        starts = []
        position = data.find(b"\n", start, end)
        while position != -1:
            starts.append(position + 1)
            position = data.find(b"\n", position + 1, end)
        return starts
    # a CR just before `end` is no line end when an LF follows it: look one byte further
    return [m.end() for m in _LINE_END.finditer(data, start, min(end + 1, len(data))) if m.end() <= end]


V = TypeVar("V", bound="FactValue")
_KEEP: Any = object()  # a field `replace` was not asked to change


class FactValue:
    """Base of the classes `fact_value` makes: the `replace` they all have."""

    __slots__ = ()

    def replace(self: V, **changes: Any) -> V:
        """This value with some fields changed and every other one kept (`dataclasses.replace`);
        `fact_value` puts a generated one, as fast as a positional constructor call, in its place."""
        made: V = dataclass_replace(self, **changes)  # type: ignore[type-var]
        return made


def fact_value(cls: type[T]) -> type[T]:
    """Make a frozen slots dataclass cheap to build, to move and to pickle; facts are built by the
    hundred thousand in a scan and moved by the thousand on every keystroke.

    - The generated `__init__` of a frozen dataclass sets each field through `object.__setattr__`
      looked up by name; this one stores straight into the slots (about 40% faster), with the same
      parameters and defaults. Instances stay frozen: assignment still raises.
    - `value.replace(field=...)` is `dataclasses.replace` (every field not named is kept, so a rebuild
      cannot drop one) written out for the class: about 0.5 us instead of 1.2, which matters where
      facts are moved past an edit on every keystroke. The class must derive from `FactValue`.
    - Pickling passes the constructor arguments. The dataclass default for slots classes restores each
      object through a Python-level `__setstate__` that looks up the fields every time: most of the time
      a warm scan spends loading its cache.
    """
    declared = fields(cls)  # type: ignore[arg-type]
    names = tuple(f.name for f in declared)
    namespace: dict[str, Any] = {}
    parameters = []
    for f in declared:
        if f.default_factory is not MISSING or not f.init:
            raise TypeError(f"{cls.__name__}.{f.name}: only plain fields can be set this way")
        namespace[f"_set_{f.name}"] = getattr(cls, f.name).__set__  # the slot's descriptor
        if f.default is MISSING:
            parameters.append(f.name)
        else:
            namespace[f"_default_{f.name}"] = f.default
            parameters.append(f"{f.name}=_default_{f.name}")
    body = "".join(f"    _set_{name}(self, {name})\n" for name in names)
    # the source is built from the class's own field names only, as `dataclasses` does for its own
    exec(f"def __init__(self, {', '.join(parameters)}):\n{body}", namespace)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = init  # type: ignore[method-assign]
    if not issubclass(cls, FactValue):
        raise TypeError(f"{cls.__name__} must derive from FactValue")
    namespace.update(_KEEP=_KEEP, _new=object.__new__, _cls=cls)
    keep = "".join(f"    _set_{name}(new, self.{name} if {name} is _KEEP else {name})\n" for name in names)
    exec(
        f"def replace(self, *, {', '.join(f'{name}=_KEEP' for name in names)}):\n"
        f"    new = _new(_cls)\n{keep}    return new\n",
        namespace,
    )
    namespace["replace"].__qualname__ = f"{cls.__qualname__}.replace"
    cls.replace = namespace["replace"]  # type: ignore[method-assign]
    values = attrgetter(*names)

    def __reduce__(self: Any) -> tuple[type[T], tuple[Any, ...]]:
        got = values(self)
        return cls, got if len(names) > 1 else (got,)

    cls.__reduce__ = __reduce__  # type: ignore[method-assign]
    return cls


@fact_value
@dataclass(frozen=True, slots=True)
class Point(FactValue):
    """A position: zero-based line and columns in every unit a consumer may want."""

    line: int
    byte: int  # column in UTF-8 bytes
    char: int  # column in Unicode code points
    utf16: int  # column in UTF-16 code units


@fact_value
@dataclass(frozen=True, slots=True)
class Span(FactValue):
    start: Point
    end: Point
    start_byte: int
    end_byte: int


class LineIndex:
    """Maps byte offsets of one immutable UTF-8 text to line/column points and back.

    Line starts are `_base[i]` for lines before `_from` and `_base[i] + _shift` from there on: an edit
    moves every later line start, and typing within one line does so on each keystroke, so the move is
    kept as one number until an edit elsewhere needs the starts written out. `_base` is never changed in
    place.
    """

    __slots__ = ("_bare", "_base", "_data", "_from", "_shift")

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._bare = data.count(b"\r") - data.count(b"\r\n") if b"\r" in data else 0
        self._base = [0, *_line_starts(data, 0, len(data), self._bare)]
        self._from = len(self._base)
        self._shift = 0

    def _line_of(self, offset: int) -> int:
        """The line `offset` is on (offset within the text)."""
        base, first = self._base, self._from
        if first < len(base) and offset >= base[first] + self._shift:
            return bisect_right(base, offset - self._shift, first) - 1
        return bisect_right(base, offset, 0, first) - 1

    def _start(self, line: int) -> int:
        return self._base[line] + self._shift if line >= self._from else self._base[line]

    def edited(self, data: bytes, start: int, old_end: int, new_end: int) -> LineIndex:
        """The index of `data`, which is this text with [start, old_end) replaced by [start, new_end)."""
        # A CR just before `start` and an LF just after the replaced text can join into one CR LF (or
        # part): the line ends from one byte before the edit to one byte after it are found again.
        lo = max(start - 1, 0)
        first_after = self._line_of(lo) + 1  # line starts at or before `lo` are unchanged
        tail = self._line_of(old_end + 1) + 1  # line starts past the byte after the edit just move
        inserted = _line_starts(data, lo, min(new_end + 1, len(data)))
        dropped = [self._start(line) for line in range(first_after, tail)]
        bare = self._bare - _bare_crs(self._data, dropped) + _bare_crs(data, inserted)
        base, shift = self._base, self._shift
        if shift and self._from != tail:  # the pending move starts elsewhere: write it out
            first = self._from
            base = base[:first] + [s + shift for s in base[first:]]
            shift = 0
        index = LineIndex.__new__(LineIndex)
        index._data = data
        index._base = base[:first_after] + inserted + base[tail:]
        index._from = first_after + len(inserted)
        index._shift = shift + new_end - old_end
        index._bare = bare
        return index

    @property
    def bare_crs(self) -> int:
        """How many lines end at a CR alone (tree-sitter, which counts rows at LF only, sees fewer)."""
        return self._bare

    def line_of(self, offset: int) -> int:
        """The line `offset` is on."""
        return self._line_of(min(max(offset, 0), len(self._data)))

    @property
    def line_count(self) -> int:
        return len(self._base)

    def line_start(self, line: int) -> int:
        return self._start(min(max(line, 0), len(self._base) - 1))

    def line_end(self, line: int) -> int:
        """Byte offset of the end of the line's text (before its CR LF, LF or CR)."""
        if line + 1 < len(self._base):
            end = self._start(line + 1) - 1
            if end > self._start(line) and self._data[end - 1 : end + 1] == b"\r\n":
                end -= 1
            return end
        return len(self._data)

    def point(self, offset: int) -> Point:
        offset = min(max(offset, 0), len(self._data))
        line = self._line_of(offset)
        start = self._start(line)
        raw = self._data[start:offset]
        if raw.isascii():  # the common case: every unit counts the same
            return Point(line, offset - start, offset - start, offset - start)
        prefix = raw.decode("utf-8", errors="replace")
        return Point(line, offset - start, len(prefix), utf16_length(prefix))

    def span(self, start_byte: int, end_byte: int) -> Span:
        return Span(self.point(start_byte), self.point(end_byte), start_byte, end_byte)

    def offset(self, line: int, column: int, unit: str = "utf-16") -> int:
        """Byte offset of (line, column) where column counts `unit` ("utf-8", "utf-16", "utf-32").

        Positions past the end of a line clamp to the line end; past the last line, to the end of text.
        """
        if line < 0:
            return 0
        if line >= len(self._base):
            return len(self._data)
        start = self._start(line)
        end = self.line_end(line)
        if column <= 0:
            return start
        if unit == "utf-8":
            return min(start + column, end)
        text = self._data[start:end].decode("utf-8", errors="replace")
        consumed = 0
        for index, char in enumerate(text):
            width = 2 if unit == "utf-16" and ord(char) > 0xFFFF else 1
            if consumed + width > column:
                return start + len(text[:index].encode("utf-8"))
            consumed += width
        return end


def utf16_length(text: str) -> int:
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)
