"""Reads LSP messages from stdin: header lines, a blank line, then exactly Content-Length bytes.

A stream whose framing breaks (a Content-Length larger than the body, negative, not a number, missing,
or a line that is no header) cannot be read on: every later message would be cut in the wrong place
and the server would stay alive but deaf. The reader stops with a FramingError instead; the server
then exits with an error on stderr, and the client restarts it. A well-framed body that is not JSON
is only one bad message: it gets an error and reading goes on.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any, BinaryIO

from pygls.exceptions import JsonRpcException
from pygls.protocol import JsonRPCProtocol

log = logging.getLogger("hscale_ls")

MAX_HEADER_LINE = 8192
CHUNK = 1 << 20
_HEADER_NAME = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # an HTTP token


def _shown(raw: bytes) -> str:
    return repr(raw[:60].decode("utf-8", "replace"))


class FramingError(Exception):
    """The input stream no longer splits into messages."""


class StdinMessages:
    """Message bodies from a blocking binary stream, read in an executor so the event loop runs on."""

    def __init__(self, stream: BinaryIO, executor: Executor) -> None:
        self.stream = stream
        self.executor = executor

    async def _call(self, method: Callable[[int], bytes], size: int) -> bytes:
        return await asyncio.get_running_loop().run_in_executor(self.executor, method, size)

    async def next_body(self) -> bytes | None:
        """The next message's body; None when the stream ends between two messages."""
        length: int | None = None
        first = True
        while True:
            line = await self._call(self.stream.readline, MAX_HEADER_LINE)
            if not line:
                if first:
                    return None
                raise FramingError("the input ended inside a message's headers")
            if line in (b"\r\n", b"\n"):
                if first:
                    continue  # a stray line end between two messages frames nothing wrongly
                break
            first = False
            if not line.endswith(b"\n"):
                if len(line) < MAX_HEADER_LINE:
                    raise FramingError("the input ended inside a message's headers")
                raise FramingError(f"a header line longer than {MAX_HEADER_LINE} bytes: {_shown(line)}")
            name, colon, value = line.partition(b":")
            if not colon or not _HEADER_NAME.fullmatch(name):
                raise FramingError(f"not a header line: {_shown(line)} (a wrong Content-Length before it?)")
            if name.lower() == b"content-length":
                digits = value.strip()
                if not digits.isdigit():
                    raise FramingError(f"Content-Length is not a byte count: {_shown(digits)}")
                length = int(digits)
        if length is None:
            raise FramingError("a message without a Content-Length header")
        chunks: list[bytes] = []
        remaining = length
        while remaining:
            chunk = await self._call(self.stream.read, min(remaining, CHUNK))
            if not chunk:
                raise FramingError(
                    f"the input ended {length - remaining} bytes into a body of Content-Length {length}"
                )
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)


async def serve(
    messages: StdinMessages,
    protocol: JsonRPCProtocol,
    report: Callable[[Exception, type[JsonRpcException]], Any],
    stopped: Callable[[], bool],
) -> None:
    """Hand each message to the protocol until the input ends; a FramingError ends it too."""
    while not stopped():
        body = await messages.next_body()
        if body is None:
            return
        try:
            protocol.handle_message(json.loads(body, object_hook=protocol.structure_message))
        except json.JSONDecodeError as error:
            if re.search(rb"content-length\s*:", body, re.IGNORECASE):
                # the next message's headers were read into this body: its length was too large
                raise FramingError(
                    "a body of the given Content-Length holds the next message's headers"
                ) from error
            log.error("a message that is not JSON: %s", error)
            report(error, JsonRpcException)
        except Exception as error:
            log.exception("handling a message failed")
            report(error, JsonRpcException)
