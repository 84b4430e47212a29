"""Dependency entries added to package.json, requirements*.txt or pyproject.toml, as minimal edits.

Existing lines are never rewritten: entries are inserted with the file's own indentation, and a file
that already names the package (any version) is left alone.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable

from packaging.requirements import InvalidRequirement, Requirement

from hscale_ls.fixes.model import Edit

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

Reader = Callable[[str], bytes | None]


def nearest(start_dir: str, names: tuple[str, ...], root: str, read: Reader) -> str | None:
    directory = start_dir
    while True:
        for name in names:
            candidate = os.path.join(directory, name)
            if read(candidate) is not None:
                return candidate
        if directory == root or os.path.dirname(directory) == directory:
            return None
        directory = os.path.dirname(directory)


def node_dependencies(path: str, read: Reader) -> dict[str, str]:
    data = _package(path, read)
    if data is None:
        return {}
    found: dict[str, str] = {}
    for key in ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies"):
        section = data.get(key)
        if isinstance(section, dict):
            found.update({k: str(v) for k, v in section.items()})
    return found


def _package(path: str, read: Reader) -> dict[str, object] | None:
    raw = read(path)
    if raw is None:
        return None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def add_node_dependencies(path: str, wanted: dict[str, str], read: Reader) -> list[Edit]:
    """Insert missing entries at the end of `dependencies` (creating the object when absent)."""
    raw = read(path)
    data = _package(path, read)
    if raw is None or data is None:
        return []
    present = node_dependencies(path, read)
    missing = {k: v for k, v in wanted.items() if k not in present}
    if not missing:
        return []
    text = raw.decode("utf-8-sig")
    offset = len(raw) - len(text.encode())  # a BOM, if any
    newline = "\r\n" if "\r\n" in text else "\n"
    span = _object_span(text, "dependencies")
    if span is not None:
        open_brace, close_brace = span
        inner = text[open_brace + 1 : close_brace]
        indent = _entry_indent(text, open_brace, close_brace)
        if inner.strip() and "\n" not in inner:  # an object on one line stays on one line
            entries = "".join(f", {json.dumps(k)}: {json.dumps(v)}" for k, v in missing.items())
        else:
            entries = "".join(
                f",{newline}{indent}{json.dumps(k)}: {json.dumps(v)}" for k, v in missing.items()
            )
        if inner.strip():
            last = open_brace + 1 + len(inner.rstrip())
            return [
                Edit(path, offset + len(text[:last].encode()), offset + len(text[:last].encode()), entries)
            ]
        closing_indent = indent[: len(indent) // 2] if indent else ""
        body = entries[1:] + newline + closing_indent
        start = offset + len(text[: open_brace + 1].encode())
        end = offset + len(text[:close_brace].encode())
        return [Edit(path, start, end, body)]
    # no "dependencies": add one as the last top-level key
    close = text.rstrip().rfind("}")
    if close == -1:
        return []
    before = text[:close].rstrip()
    indent = _entry_indent(text, text.find("{"), close) or "  "
    entries = f",{newline}".join(
        f"{indent}{indent}{json.dumps(k)}: {json.dumps(v)}" for k, v in missing.items()
    )
    comma = "," if before.rstrip()[-1:] not in {"{", ","} else ""
    block = f'{comma}{newline}{indent}"dependencies": {{{newline}{entries}{newline}{indent}}}'
    at = offset + len(before.encode())
    return [Edit(path, at, at, block)]


def _object_span(text: str, key: str) -> tuple[int, int] | None:
    """Offsets of `{` and `}` of a top-level key's object value, by scanning strings and depth."""
    depth = 0
    index = 0
    pending_key: str | None = None
    while index < len(text):
        char = text[index]
        if char == '"':
            end = index + 1
            while end < len(text) and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            literal = text[index + 1 : end]
            if depth == 1:
                pending_key = literal
            index = end + 1
            continue
        if char == "{":
            depth += 1
            if depth == 2 and pending_key == key:
                close = _matching(text, index)
                return (index, close) if close != -1 else None
        elif char == "}":
            depth -= 1
        elif char == "," and depth == 1:
            pending_key = None
        index += 1
    return None


def _matching(text: str, open_index: int) -> int:
    depth = 0
    index = open_index
    while index < len(text):
        char = text[index]
        if char == '"':
            index += 1
            while index < len(text) and text[index] != '"':
                index += 2 if text[index] == "\\" else 1
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return -1


def _entry_indent(text: str, open_brace: int, close_brace: int) -> str:
    match = re.search(r"\n([ \t]+)\"", text[open_brace:close_brace])
    if match:
        return match.group(1)
    line_start = text.rfind("\n", 0, open_brace) + 1
    base = re.match(r"[ \t]*", text[line_start:]).group(0)  # type: ignore[union-attr]
    return base + "  "


# --- Python ---------------------------------------------------------------------------------------

_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def python_requirement_file(start_dir: str, root: str, read: Reader) -> str | None:
    directory = start_dir
    while True:
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            names = []
        for name in names:
            if (
                name.startswith("requirements")
                and name.endswith(".txt")
                and "dev" not in name
                and "test" not in name
            ):
                return os.path.join(directory, name)
        if "pyproject.toml" in names:
            raw = read(os.path.join(directory, "pyproject.toml"))
            if raw is not None and re.search(rb"(?m)^dependencies\s*=\s*\[", raw):
                return os.path.join(directory, "pyproject.toml")
        if directory == root or os.path.dirname(directory) == directory:
            return None
        directory = os.path.dirname(directory)


def add_python_requirements(path: str, wanted: dict[str, str], read: Reader) -> list[Edit]:
    """Append `name>=version` lines to a requirements file or to `[project] dependencies`."""
    raw = read(path)
    if raw is None:
        return []
    text = raw.decode("utf-8", errors="replace")
    newline = "\r\n" if "\r\n" in text else "\n"
    if path.endswith(".txt"):
        present = {
            _normalise(m.group(1)) for line in text.splitlines() if (m := _REQUIREMENT_NAME.match(line))
        }
        missing = [f"{k}{v}" for k, v in wanted.items() if _normalise(k) not in present]
        if not missing:
            return []
        prefix = "" if not text or text.endswith("\n") else newline
        return [Edit(path, len(raw), len(raw), prefix + "".join(m + newline for m in missing))]
    match = re.search(r"(?ms)^dependencies\s*=\s*\[(.*?)\]", text)
    if match is None:
        return []
    present = {_normalise(n) for n in re.findall(r"[\"']\s*([A-Za-z0-9][A-Za-z0-9._-]*)", match.group(1))}
    missing = [f"{k}{v}" for k, v in wanted.items() if _normalise(k) not in present]
    if not missing:
        return []
    inner = match.group(1)
    if "\n" in inner:
        indent_match = re.search(r"\n([ \t]+)[\"']", inner)
        indent = indent_match.group(1) if indent_match else "    "
        stripped = inner.rstrip()
        at = match.start(1) + len(stripped)
        comma = "" if stripped.endswith(",") or not stripped.strip() else ","
        addition = comma + "".join(f'{newline}{indent}"{m}",' for m in missing)
        at_bytes = len(text[:at].encode())
        return [Edit(path, at_bytes, at_bytes, addition)]
    stripped = inner.rstrip()
    comma = ", " if stripped.strip() and not stripped.endswith(",") else (" " if stripped.strip() else "")
    addition = comma + ", ".join(f'"{m}"' for m in missing)
    at_bytes = len(text[: match.start(1) + len(stripped)].encode())
    return [Edit(path, at_bytes, at_bytes, addition)]


# --- what each manifest's own tool makes of it ------------------------------------------------------


def is_requirements_file(path: str) -> bool:
    name = os.path.basename(path)
    return name.startswith("requirements") and name.endswith(".txt")


def manifest_errors(path: str, data: bytes) -> int | None:
    """How many parts of a dependency manifest its tool would reject: npm's JSON parse of
    package.json, the TOML parser's view of pyproject.toml (and PEP 508 for its dependencies), pip's
    requirement lines. None when `path` is not a manifest the fixes edit. `data` is the UTF-8 view."""
    name = os.path.basename(path)
    if name != "package.json" and name != "pyproject.toml" and not is_requirements_file(path):
        return None
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return 1_000_000  # not text at all: worse than any parse error
    if name == "package.json":
        try:
            return 0 if isinstance(json.loads(text), dict) else 1
        except (ValueError, RecursionError):
            return 1
    if name == "pyproject.toml":
        try:
            document = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, RecursionError):
            return 1
        project = document.get("project")
        declared = project.get("dependencies") if isinstance(project, dict) else None
        lines = [d for d in declared if isinstance(d, str)] if isinstance(declared, list) else []
        return sum(not _valid_requirement(line) for line in lines)
    return sum(not _valid_requirement(line) for line in _requirement_lines(text))


def _requirement_lines(text: str) -> list[str]:
    """The requirement specifiers of a requirements file, as pip joins and strips its lines."""
    joined = re.sub(r"\\\r?\n", "", text)
    found = []
    for line in joined.splitlines():
        line = re.sub(r"(^|\s)#.*$", "", line).strip()
        # options (-r, -e, --hash...), paths and URLs are pip's own syntax, not PEP 508
        if not line or line.startswith(("-", ".", "/")) or "://" in line.split("@")[0]:
            continue
        found.append(line.split(" --", 1)[0].strip())
    return found


def _valid_requirement(line: str) -> bool:
    try:
        Requirement(line)
    except InvalidRequirement:
        return False
    return True
