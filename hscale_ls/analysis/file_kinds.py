"""The table of non-source file kinds: settings files that say how a project is deployed or how a framework
is configured outside its code (Procfile, PM2 ecosystem files, Compose files, Kubernetes manifests, Rails'
`config/cable.yml`). Beside the language table, and read the same way: by the walker (which files to
read), the engine and the live workspace (how to read them) and the server (what to watch).

Adding a kind is an entry here: how its files are named (and, for YAML that could be anything, what
their content must say), which reader of `setting_readers` parses it, and the key paths worth keeping.
PM2's `ecosystem.config.js` / `.cjs` are JavaScript, analysed as source; their settings are not read yet.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass
from functools import cache

from .facts import SettingsFacts
from .setting_readers import KeyPattern, Reader, read_json, read_lines, read_yaml
from .text import LineIndex


@dataclass(frozen=True, slots=True)
class FileKind:
    """How one kind of settings file is recognised and read."""

    id: str
    title: str  # as the inventory names it
    names: tuple[str, ...]  # globs on the file name, or `folder/name` for the last parts of the path
    reader: Reader
    keys: tuple[KeyPattern, ...]  # key paths kept ("*": any one key or index)
    content: re.Pattern[bytes] | None = None  # what the bytes must also hold (YAML named like any YAML)

    def watch_globs(self) -> tuple[str, ...]:
        """Globs for the editor's file watcher (`**/` in front: at any depth)."""
        return tuple(f"**/{name}" for name in self.names)


def _yaml_names(*stems: str) -> tuple[str, ...]:
    return tuple(f"{stem}.{ext}" for stem in stems for ext in ("yml", "yaml"))


FILE_KINDS: tuple[FileKind, ...] = (
    FileKind(
        id="procfile",
        title="Procfile",
        names=("Procfile",),
        reader=read_lines,
        keys=(("*",),),  # every process type: `web: gunicorn -w 4 app:app`
    ),
    FileKind(
        id="pm2",
        title="PM2 ecosystem file",
        names=("ecosystem.config.json", "ecosystem.json"),
        reader=read_json,
        keys=(("apps", "*", "name"), ("apps", "*", "instances"), ("apps", "*", "exec_mode")),
    ),
    FileKind(
        id="pm2",
        title="PM2 ecosystem file",
        names=_yaml_names("ecosystem.config", "ecosystem"),
        reader=read_yaml,
        keys=(("apps", "*", "name"), ("apps", "*", "instances"), ("apps", "*", "exec_mode")),
    ),
    FileKind(
        id="docker-compose",
        title="Compose file",
        names=_yaml_names("docker-compose", "docker-compose.*", "compose", "compose.*"),
        reader=read_yaml,
        keys=(
            ("services", "*", "deploy", "replicas"),
            ("services", "*", "deploy", "mode"),  # `global`: one per node
            ("services", "*", "scale"),
        ),
    ),
    FileKind(
        id="rails-cable",
        title="Action Cable configuration",
        names=("config/cable.yml", "config/cable.yaml"),
        reader=read_yaml,
        keys=(("*", "adapter"),),  # per environment; `async` and `inline` are in-process only
    ),
    FileKind(
        id="kubernetes",
        title="Kubernetes manifest",
        names=("*.yml", "*.yaml"),
        reader=read_yaml,
        keys=(
            ("kind",),
            ("metadata", "name"),
            ("spec", "replicas"),
            ("spec", "minReplicas"),
            ("spec", "maxReplicas"),
        ),
        content=re.compile(rb"(?m)^kind:[ \t]*[\"']?(?:Deployment|StatefulSet|HorizontalPodAutoscaler)\b"),
    ),
)

_BY_ID: dict[str, FileKind] = {}
for _kind in FILE_KINDS:
    _BY_ID.setdefault(_kind.id, _kind)


def kind_named(kind_id: str) -> FileKind | None:
    return _BY_ID.get(kind_id)


@cache
def _name_pattern() -> re.Pattern[str]:
    """One expression for every kind's file-name glob: most files are rejected by a single match."""
    names = {name.rpartition("/")[2] for kind in FILE_KINDS for name in kind.names}
    return re.compile("|".join(f"(?:{fnmatch.translate(n)})" for n in sorted(names)))


def _matches(parts: list[str], pattern: str) -> bool:
    wanted = pattern.split("/")
    if len(wanted) > len(parts):
        return False
    return all(fnmatch.fnmatchcase(p, w) for p, w in zip(parts[-len(wanted) :], wanted, strict=True))


def candidates(path: str) -> tuple[FileKind, ...]:
    """The kinds a file may be by its name, in table order (content decides among them)."""
    name = os.path.basename(path)
    if not _name_pattern().fullmatch(name):
        return ()
    parts = path.replace(os.sep, "/").split("/")
    return tuple(kind for kind in FILE_KINDS if any(_matches(parts, n) for n in kind.names))


def kind_for_path(path: str) -> FileKind | None:
    """The first kind a file may be by its name alone (None: not a settings file)."""
    found = candidates(path)
    return found[0] if found else None


def named_for_sure(path: str) -> bool:
    """Whether a file's name alone makes it a settings file (a Compose file, not just any YAML): what
    cannot be read of such a file is worth saying; of any other YAML it is not."""
    return any(kind.content is None for kind in candidates(path))


def recognise(path: str, source: bytes) -> FileKind | None:
    """The kind of a file from its name and, where the table asks, its content."""
    for kind in candidates(path):
        if kind.content is None or kind.content.search(source):
            return kind
    return None


def read_settings(path: str, source: bytes) -> SettingsFacts | None:
    """Facts of a settings file's bytes (None: not a settings file after all). Raises TooDeeplyNested
    for a tree nested past the engine's limit; never for malformed content."""
    kind = recognise(path, source)
    if kind is None:
        return None
    index = LineIndex(source)
    settings, broken = kind.reader(source, index, kind.keys)
    return SettingsFacts(path, kind.id, tuple(settings), broken)


def watch_globs() -> tuple[str, ...]:
    """Every kind's watch globs, each once, in table order."""
    return tuple(dict.fromkeys(g for kind in FILE_KINDS for g in kind.watch_globs()))
