"""An on-disk cache of file facts keyed by content hash, so a re-scan only parses what changed.

Facts depend on a file's path and bytes and on this version of the extractors, nothing else
(configuration is applied later), so the key is exactly that. One cache file per scan target (or
workspace folder of the language server), written atomically: the engine's fingerprint, then the
entries in chunks, then an end mark. A damaged, truncated or foreign cache file is ignored, never
fatal.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from functools import cache
from importlib import resources
from stat import S_ISREG

from hscale_ls import __version__

from .facts import FileFacts
from .sources import read_source, resolves_within
from .workspace import MAX_FILE_BYTES, Skipped

_CHUNK = 200  # files per pickle in a cache file


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
    base = os.environ.get("HSCALE_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "hscale-ls"
    )
    return base


def content_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class FactsCache:
    def __init__(self, directory: str, target: str) -> None:
        name = hashlib.blake2b(os.path.abspath(target).encode(), digest_size=8).hexdigest()
        self.path = os.path.join(directory, f"facts-{name}.pickle")
        self.entries: dict[str, tuple[str, tuple[int, int], FileFacts]] = {}  # path -> digest, stat, facts
        self.dirty = False
        self.hits = 0  # files `find` answered from the cache
        self.seen: set[str] = set()  # files asked for or stored: what the next save keeps
        try:
            with open(self.path, "rb") as handle:
                if pickle.load(handle) == engine_fingerprint():
                    entries: dict[str, tuple[str, tuple[int, int], FileFacts]] = {}
                    while (chunk := pickle.load(handle)) is not None:
                        entries.update(chunk)
                    self.entries = entries
        except (
            OSError,
            pickle.UnpicklingError,
            EOFError,
            ValueError,
            TypeError,
            AttributeError,
            ImportError,
        ):
            self.entries = {}

    def find(
        self, path: str, max_bytes: int = MAX_FILE_BYTES, within: str | None = None
    ) -> tuple[FileFacts | None, tuple[str, tuple[int, int]] | None, bytes | None]:
        """The stored facts of a file that has not changed since; or None, the key to store its new
        facts under (its content digest and stat) and the bytes read for the digest. All three None
        when the file cannot be read (`read_source` says why)."""
        self.seen.add(path)
        try:
            info = os.stat(path)
        except OSError:
            return None, None, None
        if not S_ISREG(info.st_mode) or (within is not None and not resolves_within(path, within)):
            return None, None, None
        stat = (info.st_size, info.st_mtime_ns)
        hit = self._by_stat(path, stat)
        if hit is None:
            data = read_source(path, max_bytes, within)
            if isinstance(data, Skipped):
                return None, None, None
            digest = content_digest(data)
            hit = self._by_digest(path, digest, stat)
            if hit is None:
                return None, (digest, stat), data
        self.hits += 1
        return hit, None, None

    def _by_stat(self, path: str, stat: tuple[int, int]) -> FileFacts | None:
        """Facts of an unchanged file: same size and modification time as when its digest was taken
        (the way git trusts its index), so a warm scan need not read the file."""
        entry = self.entries.get(path)
        return entry[2] if entry is not None and entry[1] == stat else None

    def _by_digest(self, path: str, digest: str, stat: tuple[int, int]) -> FileFacts | None:
        entry = self.entries.get(path)
        if entry is None or entry[0] != digest:
            return None
        if entry[1] != stat:  # touched but identical: remember the new stat
            self.entries[path] = (digest, stat, entry[2])
            self.dirty = True
        return entry[2]

    def store(self, path: str, digest: str, stat: tuple[int, int], facts: FileFacts) -> None:
        self.entries[path] = (digest, stat, facts)
        self.seen.add(path)
        self.dirty = True

    def save(self) -> None:
        """Write the entries of the files this run asked for; those of deleted or renamed files go."""
        kept = {path: entry for path, entry in self.entries.items() if path in self.seen}
        if len(kept) < len(self.entries):
            self.entries = kept
            self.dirty = True
        if not self.dirty:
            return
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            temporary = f"{self.path}.{os.getpid()}.tmp"
            items = list(self.entries.items())
            with open(temporary, "wb") as handle:
                # in chunks, each pickled on its own: pickling remembers every object it has written
                # until the end, so one pickle of a large workspace took 15 MB more at its peak
                pickle.dump(engine_fingerprint(), handle, protocol=pickle.HIGHEST_PROTOCOL)
                for start in range(0, len(items), _CHUNK):
                    pickle.dump(dict(items[start : start + _CHUNK]), handle, protocol=pickle.HIGHEST_PROTOCOL)
                pickle.dump(None, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.path)
        except OSError:
            pass  # a read-only cache directory only costs speed
