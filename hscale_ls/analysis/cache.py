"""An on-disk cache of file facts keyed by content hash, so a re-scan only parses what changed.

Facts depend on a file's path and bytes and on this version of the extractors, nothing else
(configuration is applied later), so the key is exactly that. One cache file per scan target (or
workspace folder of the language server), written atomically as JSON lines: a header with the format
and the engine's fingerprint, one line per file, then an end mark. The cache lives in a private
directory of the user, never inside a workspace; it is read only from files the user owns, and in a
format that cannot run code, so a damaged, truncated, foreign or hostile cache file is ignored, never
fatal and never trusted.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import stat as stat_mode
import time
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import IO

from hscale_ls import __version__

from .facts import FileFacts, SettingsFacts
from .facts_json import decode_file_facts, decode_settings_facts, to_json
from .sources import read_source_with_stat, resolves_within
from .workspace import MAX_FILE_BYTES, Skipped

FORMAT = ["hscale-ls facts", 25]  # the header's first items; bump the number when the layout changes
# A file whose modification or change time is this close to the moment its digest was taken may have
# changed again within the file system's timestamp resolution (2 s on FAT, whole seconds on some
# network file systems) without its stat changing: its bytes are hashed again rather than trusted.
SETTLED_NS = 2_000_000_000

Stat = tuple[int, int, int, int]  # size, modification time, change time (ns), inode
Key = tuple[str, Stat, int]  # content digest, stat, when the digest was taken (ns since the epoch)
Facts = FileFacts | SettingsFacts  # of a source file, or of a settings file (`file_kinds`)
Entry = tuple[str, Stat, int, Facts]


class CacheLocationError(ValueError):
    """There is no safe place for the facts cache; scans run without one."""


@cache
def engine_fingerprint() -> str:
    """Changes whenever the extractors or their queries do (so editing the engine invalidates)."""
    digest = hashlib.blake2b(__version__.encode(), digest_size=16)
    package = resources.files("hscale_ls.analysis")
    for name in sorted(p.name for p in package.iterdir() if p.name.endswith(".py")):
        digest.update((package / name).read_bytes())
    for folder in sorted(p.name for p in (package / "queries").iterdir()):
        for query in sorted(p.name for p in (package / "queries" / folder).iterdir()):
            digest.update((package / "queries" / folder / query).read_bytes())
    return digest.hexdigest()


def default_directory() -> str:
    """The user's cache directory for hscale-ls, always an absolute path: `HSCALE_CACHE_DIR`, else
    `$XDG_CACHE_HOME/hscale-ls`, else `~/.cache/hscale-ls`. A relative path would put the cache in
    whatever folder is current (the scanned repository, typically), so a relative `HSCALE_CACHE_DIR`
    or `HOME` is refused and a relative `XDG_CACHE_HOME` is ignored, as the XDG specification says."""
    explicit = os.environ.get("HSCALE_CACHE_DIR")
    if explicit:
        if not os.path.isabs(explicit):
            raise CacheLocationError(f"HSCALE_CACHE_DIR={explicit!r} is not an absolute path")
        return os.path.normpath(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return os.path.join(os.path.normpath(xdg), "hscale-ls")
    home = os.environ.get("HOME")
    if not home:
        try:
            import pwd

            home = pwd.getpwuid(os.geteuid()).pw_dir
        except (ImportError, KeyError):
            home = ""
    if not os.path.isabs(home):
        raise CacheLocationError(
            "no absolute home directory (HOME is unset or relative); set HSCALE_CACHE_DIR"
        )
    return os.path.join(os.path.normpath(home), ".cache", "hscale-ls")


def content_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def stat_key(info: os.stat_result) -> Stat:
    """What says a file was not touched: besides size and modification time (both of which an archive
    or `touch -r` restores), the change time and inode, which no user can set back."""
    return info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino


def read_keyed(
    path: str, max_bytes: int = MAX_FILE_BYTES, within: str | None = None
) -> tuple[Key, bytes] | Skipped:
    """A file's bytes and the key of exactly those bytes, read as `sources.read_source` reads them (or
    why they were not read)."""
    checked = time.time_ns()  # before reading: a later write shows as a time after this one
    read = read_source_with_stat(path, max_bytes, within)
    if isinstance(read, Skipped):
        return read
    data, info = read
    return (content_digest(data), stat_key(info), checked), data


def _user() -> int | None:
    return os.geteuid() if hasattr(os, "geteuid") else None  # None: Windows (no owner to check)


def _private(info: os.stat_result) -> bool:
    """Owned by this user and writable by no one else."""
    user = _user()
    return user is None or (info.st_uid == user and not info.st_mode & 0o022)


# not through a symbolic link, not blocking on a FIFO, not inherited by child processes (and on
# Windows, where only the last exists, without newline translation)
_OPEN_FLAGS = sum(getattr(os, flag, 0) for flag in ("O_NOFOLLOW", "O_NONBLOCK", "O_CLOEXEC", "O_BINARY"))


def _inside(directory: str, folders: Iterable[str]) -> str | None:
    real = os.path.realpath(directory)
    for folder in folders:
        base = os.path.realpath(folder)
        if real == base or real.startswith(base.rstrip(os.sep) + os.sep):
            return folder
    return None


class FactsCache:
    def __init__(self, directory: str, target: str, workspaces: Iterable[str] = ()) -> None:
        """The cache of `target` in `directory`; not used at all (`problem` says why) when the
        directory is relative or inside one of the `workspaces` being read."""
        name = hashlib.blake2b(os.path.abspath(target).encode(), digest_size=8).hexdigest()
        self.directory = directory
        self.path = os.path.join(directory, f"facts-{name}.json")
        self.entries: dict[str, Entry] = {}  # path -> digest, stat, time of the digest, facts
        self.dirty = False
        self.hits = 0  # files `find` answered from the cache
        self.seen: set[str] = set()  # files asked for or stored: what the next save keeps
        self.problem: str | None = None
        workspace = _inside(directory, workspaces)
        if not os.path.isabs(directory):
            self.problem = f"the facts cache directory {directory} is not an absolute path"
        elif workspace is not None:
            self.problem = f"the facts cache directory {directory} is inside {workspace}"
        else:
            self.entries = self._load()

    def _load(self) -> dict[str, Entry]:
        try:
            if not _private(os.stat(self.directory)):
                return {}
            handle = os.fdopen(os.open(self.path, os.O_RDONLY | _OPEN_FLAGS), "rb")
        except OSError:
            return {}
        with handle:
            try:
                info = os.fstat(handle.fileno())
                if not stat_mode.S_ISREG(info.st_mode) or not _private(info):
                    return {}
                # Hundreds of thousands of small containers, no cycle among them, kept for the
                # whole run or session: the cyclic collector would walk them over and over (three
                # quarters of the decoding time), then again on every full collection. They are
                # built with it paused and then frozen (freed by reference counting when dropped),
                # as the server freezes its index; garbage from before is collected first, so none
                # is frozen with them.
                collecting = gc.isenabled()
                gc.collect()
                gc.disable()
                try:
                    return _read_entries(handle)
                finally:
                    gc.freeze()
                    if collecting:
                        gc.enable()
            except (OSError, ValueError, TypeError, RecursionError):
                return {}

    def find(
        self, path: str, max_bytes: int = MAX_FILE_BYTES, within: str | None = None
    ) -> tuple[Facts | None, Key | None, bytes | None]:
        """The stored facts of a file that has not changed since; or None, the key to store its new
        facts under and the bytes that key was taken of. All three None when the file is not read
        (`sources.read_source` says why: not a regular file, a link out of `within`, too large...)."""
        self.seen.add(path)
        entry = self.entries.get(path)
        try:
            if entry is not None:
                info = os.stat(path)
                # unchanged stat, taken well after the last write: the way git trusts its index
                settled = max(info.st_mtime_ns, info.st_ctime_ns) < entry[2] - SETTLED_NS
                if (
                    settled
                    and stat_key(info) == entry[1]
                    and stat_mode.S_ISREG(info.st_mode)
                    and info.st_size <= max_bytes
                    and (within is None or resolves_within(path, within))
                ):
                    self.hits += 1
                    return entry[3], None, None
        except OSError:
            return None, None, None
        read = read_keyed(path, max_bytes, within)
        if isinstance(read, Skipped):
            return None, None, None
        key, data = read
        if entry is None or entry[0] != key[0]:
            return None, key, data
        self.entries[path] = (*key, entry[3])  # touched or too recent, but identical: remember when
        self.dirty = True
        self.hits += 1
        return entry[3], None, None

    def store(self, path: str, key: Key, facts: Facts) -> None:
        self.entries[path] = (*key, facts)
        self.seen.add(path)
        self.dirty = True

    def save(self) -> None:
        """Write the entries of the files this run asked for; those of deleted or renamed files go."""
        kept = {path: entry for path, entry in self.entries.items() if path in self.seen}
        if len(kept) < len(self.entries):
            self.entries = kept
            self.dirty = True
        if not self.dirty or self.problem is not None:
            return
        try:
            if not self._prepare_directory():
                return
            temporary = f"{self.path}.{os.urandom(8).hex()}.tmp"
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _OPEN_FLAGS
            descriptor = os.open(temporary, flags, 0o600)
        except OSError:
            return  # a read-only cache directory only costs speed
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                _write_entries(handle, self.entries)
            os.replace(temporary, self.path)
        except (OSError, ValueError, TypeError):
            with contextlib.suppress(OSError):
                os.unlink(temporary)

    def _prepare_directory(self) -> bool:
        """Create the directory private to this user (0700). One that exists is used as it is (never
        made private behind the user's back: it may be a shared folder), and only if this user owns
        it and nobody else can write to it."""
        os.makedirs(os.path.dirname(self.directory), exist_ok=True)
        with contextlib.suppress(FileExistsError):
            os.mkdir(self.directory, 0o700)
            os.chmod(self.directory, 0o700)  # whatever the umask
        info = os.stat(self.directory)
        if not stat_mode.S_ISDIR(info.st_mode) or not _private(info):
            return False
        return _user() in (None, os.lstat(self.directory).st_uid)  # not a link someone else placed


def _write_entries(handle: IO[str], entries: dict[str, Entry]) -> None:
    compact = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode
    handle.write(compact([*FORMAT, engine_fingerprint()]) + "\n")
    for path, (digest, stat, checked, facts) in entries.items():
        # a settings file's facts are tagged; a source file's (most rows) are not
        encoded = to_json(facts) if type(facts) is FileFacts else {"settings": to_json(facts)}
        handle.write(compact([path, digest, *stat, checked, encoded]) + "\n")
    handle.write(compact(["end", len(entries)]) + "\n")


def _read_entries(handle: IO[bytes]) -> dict[str, Entry]:
    """The entries of a cache file written by `_write_entries` for this engine; {} for any other file
    (including one cut short: it lacks the end mark). Raises ValueError or TypeError on damage."""
    lines = iter(handle)
    if json.loads(next(lines, b"null")) != [*FORMAT, engine_fingerprint()]:
        return {}
    entries: dict[str, Entry] = {}
    for line in lines:
        row = json.loads(line)
        if type(row) is not list:
            raise ValueError("not a cache entry")
        if row == ["end", len(entries)]:
            return entries
        path, digest, size, mtime, ctime, inode, checked, facts = row
        if type(path) is not str or type(digest) is not str:
            raise ValueError("not a cache entry")
        if not all(type(number) is int for number in (size, mtime, ctime, inode, checked)):
            raise ValueError("not a cache entry")
        item: Facts
        if type(facts) is dict:
            if list(facts) != ["settings"]:
                raise ValueError("not a cache entry")
            item = decode_settings_facts(facts["settings"])
        else:
            item = decode_file_facts(facts)
        if item.path != path:
            raise ValueError("facts of another file")
        entries[path] = (digest, (size, mtime, ctime, inode), checked, item)
    return {}
