"""Editor settings (section `hscale`): typed, parsed field by field with cattrs, defaults on error.

VS Code answers `workspace/configuration` with one object per requested folder; Neovim sends one
table, sometimes wrapped as `{"hscale": {...}}`; `initializationOptions` carries the same fields at its
top level. Every shape ends up here.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal

import cattrs

from hscale_ls.analysis.config import from_mapping

CONFIG_KEYS = ("severity", "ignore", "deployment", "exclude")  # handed to the project configuration
CLIENT_KEYS = frozenset({"interpreter", "trace"})  # read by editor extensions, not by the server


@dataclass(frozen=True, slots=True)
class Settings:
    enable: bool = True
    """Turn every hscale diagnostic, hover and lens off for this folder."""
    run: Literal["onType", "onSave"] = "onType"
    """Analyse while typing, or only when a document is saved."""
    debounceMs: int = 200
    """Milliseconds to wait after the last keystroke before analysing (0: at once)."""
    logLevel: Literal["error", "warning", "info", "debug"] = "info"
    """How much the server writes to the client's log."""
    maxFileBytes: int = 2_000_000
    """Documents and files on disk larger than this are not analysed (a log line says so)."""
    severity: str | dict[str, str] | None = None
    """One level for every rule, or a table of rule id to level; merged over the project's config files."""
    ignore: list[str] | None = None
    """Rule ids to turn off; merged over the project's config files."""
    deployment: Literal["multi-instance", "single-instance"] | None = None
    """Declare the deployment; `single-instance` skips the check."""
    exclude: list[str] | None = None
    """Globs of files not to analyse, relative to the workspace folder."""
    config: dict[str, Any] = field(default_factory=dict)
    """The project-configuration part of these settings (derived)."""


_converter = cattrs.Converter()
_FIELDS = {f.name: f for f in fields(Settings) if f.name != "config"}
_HINTS = typing.get_type_hints(Settings)


def unwrap(raw: Any) -> Any:
    """The hscale table from any of the shapes clients send."""
    if isinstance(raw, list):
        raw = raw[0] if raw else {}
    if isinstance(raw, Mapping) and isinstance(raw.get("hscale"), Mapping):
        raw = raw["hscale"]
    return raw


def parse(raw: Any) -> tuple[Settings, list[str]]:
    """Settings from a raw object; one message per rejected key, naming it."""
    raw = unwrap(raw)
    if raw is None:
        return Settings(), []
    if not isinstance(raw, Mapping):
        return Settings(), [
            f"hscale settings must be an object, got {type(raw).__name__}; using the defaults"
        ]
    values: dict[str, Any] = {}
    errors: list[str] = []
    for key, value in raw.items():
        if key in CLIENT_KEYS:
            continue
        if key not in _FIELDS:
            errors.append(f"hscale.{key} is not a setting; ignored")
            continue
        if value is None:
            continue
        if key in CONFIG_KEYS:
            continue  # validated below by the same code that reads config files
        try:
            structured = _converter.structure(value, _HINTS[key])
        except Exception:  # cattrs raises several types; any of them means "not this type"
            errors.append(f"hscale.{key} has an invalid value {value!r}; using the default")
            continue
        if key in {"debounceMs", "maxFileBytes"} and (isinstance(value, bool) or structured < 0):
            errors.append(f"hscale.{key} must be a number >= 0, got {value!r}; using the default")
            continue
        if key == "enable" and not isinstance(value, bool):
            errors.append(f"hscale.enable must be true or false, got {value!r}; using the default")
            continue
        values[key] = structured
    given = {k: raw[k] for k in CONFIG_KEYS if raw.get(k) is not None}
    _, config_errors = from_mapping(given, "hscale settings", "")
    errors.extend(config_errors)
    config = {k: v for k, v in given.items() if not any(f"`{k}" in e for e in config_errors)}
    values.update(config)
    return Settings(**values, config=config), errors
