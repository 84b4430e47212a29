"""Files as the fixes read them and as `--fix` writes them.

Fixes compute byte-offset edits on UTF-8. A file saved in UTF-16 or UTF-32 (with its byte order mark,
as Windows editors write `requirements.txt`) is read as its UTF-8 view and written back in its own
encoding with its own mark; every other file is read and written byte for byte.

Writing is all or nothing as far as a file system allows: every target is checked first (inside the
tree being fixed, not through a symlink that leaves it, a regular file, writable, unchanged since it
was read), then each new content goes to a temporary file beside its target, and only when all of them
are written are they renamed over the originals (keeping mode and owner). A process killed at any
moment leaves each file either as it was or as fixed.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass

# longest mark first: UTF-32-LE's starts with UTF-16-LE's
_WIDE_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def wide_encoding(raw: bytes) -> tuple[bytes, str] | None:
    """The byte order mark and codec of a UTF-16 or UTF-32 file, None for anything else."""
    for mark, codec in _WIDE_MARKS:
        if raw.startswith(mark):
            return mark, codec
    return None


def as_utf8(raw: bytes) -> bytes:
    """What the fixes work on: UTF-16/32 text as UTF-8 without its mark, other bytes as they are."""
    wide = wide_encoding(raw)
    if wide is None:
        return raw
    mark, codec = wide
    try:
        return raw[len(mark) :].decode(codec, "surrogatepass").encode("utf-8", "surrogatepass")
    except UnicodeDecodeError:  # an odd length or a broken code unit: not text we can edit safely
        return raw


def in_encoding_of(raw: bytes | None, view: bytes) -> bytes:
    """`view` (UTF-8) in the encoding the file had on disk (`raw`), mark included."""
    wide = wide_encoding(raw) if raw else None
    if wide is None or as_utf8(raw or b"") is raw:
        return view
    mark, codec = wide
    return mark + view.decode("utf-8", "surrogatepass").encode(codec, "surrogatepass")


def read_raw(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def read_disk(path: str) -> bytes | None:
    """A file as the fixes see it (see `as_utf8`), or None when it cannot be read."""
    raw = read_raw(path)
    return None if raw is None else as_utf8(raw)


@dataclass(frozen=True, slots=True)
class Refusal:
    path: str
    reason: str


class WriteRefused(Exception):
    """Nothing was written: at least one target could not be written safely."""

    def __init__(self, refusals: list[Refusal]) -> None:
        super().__init__("; ".join(f"{r.path}: {r.reason}" for r in refusals))
        self.refusals = refusals


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def refusal(path: str, boundary: str | None) -> str | None:
    """Why `path` must not be written (None: it may be). `boundary` is the tree being fixed."""
    real = os.path.realpath(path)
    if boundary is not None and not _inside(real, os.path.realpath(boundary)):
        if os.path.islink(path):
            return f"a symbolic link to {real}, outside {boundary}"
        return f"outside {boundary}"
    try:
        info = os.lstat(real)
    except FileNotFoundError:
        info = None
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    if info is not None:
        if not stat.S_ISREG(info.st_mode):
            return "not a regular file"
        if not os.access(real, os.W_OK):
            return "not writable"
    folder = os.path.dirname(real)
    while not os.path.isdir(folder):  # a file a fix creates in a folder that does not exist yet
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"its folder {folder} is not writable"
    return None


_TEMPORARY = re.compile(r"^\..+\.hscale-(\d+)-\d+\.tmp$")


def remove_stale_temporaries(folder: str) -> None:
    """Remove what a run killed between writing and renaming left in `folder`: temporary files whose
    process is gone (a live one may be another run writing right now)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        match = _TEMPORARY.match(name)
        if match is None:
            continue
        try:
            os.kill(int(match.group(1)), 0)
        except ProcessLookupError:
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(folder, name))
        except (PermissionError, OverflowError):
            continue  # alive under another user


def _temporary_beside(real: str) -> tuple[str, int]:
    folder, name = os.path.split(real)
    for attempt in range(100):
        candidate = os.path.join(folder, f".{name}.hscale-{os.getpid()}-{attempt}.tmp")
        try:
            return candidate, os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {real}")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_all(
    contents: Mapping[str, bytes], originals: Mapping[str, bytes | None], boundary: str | None
) -> list[str]:
    """Write every file of `contents` (UTF-8 views) or none of them (raises `WriteRefused`).

    `originals` holds each file's view when the fixes read it: a file that changed on disk since
    is refused rather than overwritten."""
    refusals: list[Refusal] = []
    planned: list[tuple[str, str, bytes, os.stat_result | None]] = []
    for path in sorted(contents):
        reason = refusal(path, boundary)
        if reason is None:
            raw = read_raw(path)
            expected = originals.get(path)
            if (None if raw is None else as_utf8(raw)) != expected:
                reason = "changed on disk while the fixes were computed"
        if reason is not None:
            refusals.append(Refusal(path, reason))
            continue
        real = os.path.realpath(path)
        try:
            info: os.stat_result | None = os.stat(real)
        except FileNotFoundError:
            info = None
        planned.append((path, real, in_encoding_of(raw, contents[path]), info))
    if refusals:
        raise WriteRefused(refusals)

    staged: list[tuple[str, str]] = []  # temporary file, target
    made_folders: list[str] = []
    current = ""
    for folder in {os.path.dirname(real) for _, real, _, _ in planned}:
        remove_stale_temporaries(folder)
    try:
        for path, real, data, info in planned:
            current = path
            folder = os.path.dirname(real)
            missing = []
            while not os.path.isdir(folder):
                missing.append(folder)
                folder = os.path.dirname(folder)
            for created in reversed(missing):
                os.mkdir(created)
                made_folders.append(created)
            temporary, descriptor = _temporary_beside(real)
            staged.append((temporary, real))
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                if info is not None:
                    os.fchmod(handle.fileno(), stat.S_IMODE(info.st_mode))
                    if (info.st_uid, info.st_gid) != (os.getuid(), os.getgid()):
                        with contextlib.suppress(PermissionError):
                            os.fchown(handle.fileno(), info.st_uid, info.st_gid)
                else:
                    os.fchmod(handle.fileno(), 0o666 & ~_umask())
                os.fsync(handle.fileno())
    except BaseException as error:  # a full disk, or Ctrl+C: take back everything staged so far
        for temporary, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        for folder in reversed(made_folders):
            with contextlib.suppress(OSError):
                os.rmdir(folder)
        if not isinstance(error, OSError):
            raise
        raise WriteRefused([Refusal(current, f"could not be written ({error.strerror or error})")]) from None
    for temporary, real in staged:
        os.replace(temporary, real)
    return [path for path, *_ in planned]
