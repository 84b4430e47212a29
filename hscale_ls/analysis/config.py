"""Project configuration: `.hscale.toml`, `[tool.hscale]` in pyproject.toml, `"hscale"` in package.json.

The nearest configuration above a file wins. A broken file or key is reported (naming the file and
the key) and the defaults stand for what could not be read; nothing here raises on bad input.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pathspec

from .rules import RULES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SEVERITIES = ("error", "warning", "information", "hint")
DEPLOYMENTS = ("multi-instance", "single-instance")
CONFIG_FILES = (".hscale.toml", "pyproject.toml", "package.json")


@dataclass(frozen=True, slots=True)
class Config:
    deployment: str = "multi-instance"
    severity: Mapping[str, str] = field(default_factory=lambda: dict.fromkeys(RULES, "warning"))
    ignore: frozenset[str] = frozenset()
    exclude: tuple[str, ...] = ()
    source: str | None = None  # the file it came from
    root: str = ""  # folder that `exclude` globs are relative to

    def severity_of(self, rule: str) -> str:
        return self.severity.get(rule, "warning")

    def excludes(self, path: str) -> bool:
        if not self.exclude or not self.root:
            return False
        relative = os.path.relpath(path.rstrip("/"), self.root).replace(os.sep, "/")
        if relative.startswith("../") or relative == "..":
            return False
        if path.endswith("/"):
            relative += "/"
        if relative in {".", "./"}:
            return False
        return _spec(self.exclude).match_file(relative)


DEFAULT = Config()


def _spec(patterns: tuple[str, ...]) -> pathspec.GitIgnoreSpec:
    return pathspec.GitIgnoreSpec.from_lines(patterns)


def from_mapping(
    data: Mapping[str, Any], source: str, root: str, base: Config = DEFAULT
) -> tuple[Config, list[str]]:
    """Apply the keys of `data` over `base`; return the result and one message per rejected key."""
    errors: list[str] = []
    config = replace(base, source=source, root=root)

    def bad(key: str, problem: str) -> None:
        errors.append(f"{source}: `{key}` {problem}; using the default")

    if not isinstance(data, Mapping):
        bad("hscale", "must be a table")
        return config, errors
    for key, value in data.items():
        if key == "deployment":
            if value in DEPLOYMENTS:
                config = replace(config, deployment=value)
            else:
                bad(key, f"must be one of {', '.join(DEPLOYMENTS)} (got {_shown(value)})")
        elif key == "severity":
            severity = dict(config.severity)
            if isinstance(value, str) and value in SEVERITIES:
                severity = dict.fromkeys(RULES, value)
            elif isinstance(value, Mapping):
                for rule, level in value.items():
                    if rule not in RULES:
                        bad(f"severity.{rule}", "is not a rule id")
                    elif level not in SEVERITIES:
                        bad(
                            f"severity.{rule}",
                            f"must be one of {', '.join(SEVERITIES)} (got {_shown(level)})",
                        )
                    else:
                        severity[rule] = level
            else:
                bad(key, f"must be one of {', '.join(SEVERITIES)} or a table of rule id to level")
            config = replace(config, severity=severity)
        elif key == "ignore":
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                unknown = [v for v in value if v not in RULES]
                if unknown:
                    bad(key, f"names unknown rule ids {unknown}")
                config = replace(config, ignore=frozenset(v for v in value if v in RULES))
            else:
                bad(key, "must be a list of rule ids")
        elif key == "exclude":
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                try:
                    _spec(tuple(value))
                except Exception as error:  # pathspec raises several types for bad globs
                    bad(key, f"has an invalid glob ({error})")
                else:
                    config = replace(config, exclude=tuple(value))
            else:
                bad(key, "must be a list of globs")
        else:
            errors.append(f"{source}: unknown key `{key}` ignored")
    return config, errors


def _shown(value: object) -> str:
    """A rejected value as the message quotes it: short, on one line."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def read_config_file(path: str) -> tuple[Config | None, list[str]]:
    """The hscale section of one file, or None when the file has none (a plain package.json)."""
    root = os.path.dirname(os.path.abspath(path))
    name = os.path.basename(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as error:
        return None, [f"{path}: cannot be read ({error.strerror}); using the defaults"]
    try:
        if name == "package.json":
            data = json.loads(raw.decode("utf-8-sig"))
            section = data.get("hscale") if isinstance(data, dict) else None
        else:
            data = tomllib.loads(raw.decode("utf-8-sig"))
            tool = data.get("tool", {}) if name == "pyproject.toml" else {}
            if not isinstance(tool, dict):  # `tool = "oops"`: no [tool.hscale] can be found
                return Config(source=path, root=root), [f"{path}: `tool` must be a table; using the defaults"]
            section = tool.get("hscale") if name == "pyproject.toml" else data
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        if name != ".hscale.toml" and b"hscale" not in raw:
            return None, []  # someone else's broken manifest is not our configuration
        # the parsers recurse once per level: a file nested thousands deep fails like a syntax error
        problem = "nested too deeply" if isinstance(error, RecursionError) else str(error)
        return Config(source=path, root=root), [
            f"{path}: invalid {_format(name)} ({problem}); using the defaults"
        ]
    if section is None:
        return None, []
    try:
        return from_mapping(section, path, root)
    except RecursionError:  # a value nested just shallowly enough to parse, too deep to print
        return Config(source=path, root=root), [
            f"{path}: hscale section nested too deeply; using the defaults"
        ]


def _format(name: str) -> str:
    return "JSON" if name.endswith(".json") else "TOML"


class ConfigResolver:
    """Finds the configuration that applies to a path; caches per folder, collects errors once."""

    def __init__(self, explicit: str | None = None) -> None:
        self.errors: list[str] = []
        self._by_dir: dict[str, Config] = {}
        self._explicit: Config | None = None
        if explicit is not None:
            config, errors = read_config_file(explicit)
            self.errors.extend(errors)
            if config is None:
                root = os.path.dirname(os.path.abspath(explicit))
                config = Config(source=explicit, root=root)
                self.errors.append(f"{explicit}: has no hscale configuration; using the defaults")
            self._explicit = config

    def for_path(self, path: str) -> Config:
        if self._explicit is not None:
            return self._explicit
        return self.for_dir(os.path.dirname(os.path.abspath(path)))

    def for_dir(self, directory: str) -> Config:
        if self._explicit is not None:
            return self._explicit
        cached = self._by_dir.get(directory)
        if cached is not None:
            return cached
        config = None
        for name in CONFIG_FILES:
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate):
                config, errors = read_config_file(candidate)
                self.errors.extend(errors)
                if config is not None:
                    break
        if config is None:
            parent = os.path.dirname(directory)
            config = DEFAULT if parent == directory else self.for_dir(parent)
        self._by_dir[directory] = config
        return config
