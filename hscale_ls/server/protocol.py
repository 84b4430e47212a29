"""The JSON-RPC protocol with two gaps closed: a request whose parameters cannot be read gets an
InvalidParams error (instead of no answer at all), and a request after `shutdown` gets InvalidRequest.
A client must never be left waiting on a request the server dropped. Open documents are hscale's own:
pygls keeps no copy of them.

Built on pygls's public surface only: builtin methods are overridden with `lsp_method` (as pygls
defines its own), errors are written to the public `writer`, and the shutdown state is kept here.
"""

from __future__ import annotations

import json
from collections.abc import Generator
from typing import Any

from cattrs import Converter
from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidRequest
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

Dispatch = Generator[Any, Any, Any]


class _Answered:
    """Stands in for a request already answered with an error; the dispatcher skips it."""

    jsonrpc = "answered"


class HscaleProtocol(LanguageServerProtocol):
    def __init__(self, server: LanguageServer, converter: Converter) -> None:
        super().__init__(server, converter)
        self.shutdown_requested = False  # `shutdown` was answered: only `exit` is served from now on

    def answer_error(self, message_id: int | str, error: JsonRpcException) -> None:
        """Answer one request with a JSON-RPC error."""
        body = json.dumps(
            {"jsonrpc": "2.0", "id": message_id, "error": {"code": error.code, "message": error.message}}
        ).encode("utf-8")
        if self.writer is not None:  # stdio and TCP: both writers write at once
            self.writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            if isinstance(data, dict) and "id" in data and "method" in data:
                self.answer_error(data["id"], error)
                return _Answered()
            raise

    def handle_message(self, message: Any) -> None:
        method = getattr(message, "method", None)
        if (
            self.shutdown_requested
            and method is not None
            and method != types.EXIT
            and getattr(message, "id", None) is not None
        ):
            self.answer_error(message.id, JsonRpcInvalidRequest("the server is shutting down"))
            return
        if isinstance(message, _Answered):
            return
        super().handle_message(message)

    @lsp_method(types.SHUTDOWN)
    def lsp_shutdown(self, *args: Any) -> Dispatch:
        yield from super().lsp_shutdown(*args)
        self.shutdown_requested = True

    # pygls would apply each change to a copy of its own that splits lines with `str.splitlines`
    # (a form feed, U+0085 or U+2028 ends a line there, not in the protocol) and clamps the change's
    # range in place, in the very params the handler reads next. hscale's LiveDocument is the only
    # copy: these notifications go to the handlers untouched.
    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams) -> Dispatch:
        yield from self.dispatch(types.TEXT_DOCUMENT_DID_OPEN, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> Dispatch:
        yield from self.dispatch(types.TEXT_DOCUMENT_DID_CHANGE, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams) -> Dispatch:
        yield from self.dispatch(types.TEXT_DOCUMENT_DID_CLOSE, params)

    def dispatch(self, method: str, params: Any) -> Dispatch:
        """Hand a notification to the handler registered for it, if any."""
        handler = self.fm.features.get(method)
        if handler is not None:
            yield handler, (params,), None
