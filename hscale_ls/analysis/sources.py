"""The one way the engine reads a source file from disk.

Only regular files (opened non-blocking, so a FIFO or device named like a source file never hangs a
scan or the server), never through a symbolic link that leaves the folder being analysed, never past
the size limit, and never binary content. Whatever is refused comes back as `Skipped` with its reason.
"""

from __future__ import annotations

import os
import stat

from .workspace import MAX_FILE_BYTES, Skipped

# O_NONBLOCK: opening a FIFO without a writer returns at once instead of waiting for one
_OPEN_FLAGS = (
    os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
)
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)
_SAMPLE = 8192
# control characters that never appear in text (tab, newlines, form feed and escape do)
_CONTROL = bytes([*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F])
OUTSIDE_FOLDER = "symbolic link to a file outside the scanned folder"


def read_source(path: str, max_bytes: int = MAX_FILE_BYTES, within: str | None = None) -> bytes | Skipped:
    """The bytes of a source file, or why they were not read. `within`: the folder being analysed; a
    path that resolves outside it (through a symbolic link) is refused."""
    read = read_source_with_stat(path, max_bytes, within)
    return read if isinstance(read, Skipped) else read[0]


def read_source_with_stat(
    path: str, max_bytes: int = MAX_FILE_BYTES, within: str | None = None
) -> tuple[bytes, os.stat_result] | Skipped:
    """`read_source`, with the status of the very file that was read (for the facts cache's key)."""
    target, flags = path, _OPEN_FLAGS
    if within is not None:
        target = os.path.realpath(path)
        if not resolves_within(target, within):
            return Skipped(path, OUTSIDE_FOLDER)
        flags |= _NO_FOLLOW  # the resolved path must not become a link between the check and the open
    try:
        descriptor = os.open(target, flags)
    except OSError as error:
        return Skipped(path, f"cannot be read ({error.strerror})")
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            return Skipped(path, "not a regular file")
        if info.st_size > max_bytes:
            return Skipped(path, f"larger than {max_bytes:,} bytes")
        chunks: list[bytes] = []
        size = 0
        while size <= max_bytes:  # the file may grow after fstat: never read more than the limit
            chunk = os.read(descriptor, max(max_bytes + 1 - size, 1))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        return Skipped(path, f"cannot be read ({error.strerror})")
    finally:
        os.close(descriptor)
    if size > max_bytes:
        return Skipped(path, f"larger than {max_bytes:,} bytes")
    data = b"".join(chunks)
    if looks_binary(data):
        return Skipped(path, "binary content")
    return data, info


def resolves_within(path: str, folder: str) -> bool:
    """Whether a path, its symbolic links followed, is inside a folder (its links followed too)."""
    target, base = os.path.realpath(path), os.path.realpath(folder)
    return target == base or target.startswith(base.rstrip(os.sep) + os.sep)


def looks_binary(data: bytes) -> bool:
    """Whether the first 8 KB look like binary data rather than source text. One NUL (in a string
    literal, say) does not make a file binary: control characters must be more than a tenth of the
    sample, or control characters and undecodable bytes together more than three tenths."""
    sample = data[:_SAMPLE]
    if not sample:
        return False
    controls = len(sample) - len(sample.translate(None, _CONTROL))
    if controls > 1 and controls * 10 > len(sample):
        return True
    undecodable = sample.decode("utf-8", "replace").count("\ufffd")
    return (controls + undecodable) * 10 > len(sample) * 3
