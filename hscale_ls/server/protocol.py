"""The JSON-RPC protocol with two gaps closed: a request whose parameters cannot be read gets an
InvalidParams error (instead of no answer at all), and a request after `shutdown` gets InvalidRequest.
A client must never be left waiting on a request the server dropped. Open documents are hscale's own:
pygls keeps no copy of them."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidRequest
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

Dispatch = Generator[Any, Any, None]


class _Answered:
    """Stands in for a request already answered with an error; the dispatcher skips it."""

    jsonrpc = "answered"


class HscaleProtocol(LanguageServerProtocol):
    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            if isinstance(data, dict) and "id" in data and "method" in data:
                self._send_response(data["id"], None, error.to_response_error())
                return _Answered()
            raise

    def handle_message(self, message: Any) -> None:
        method = getattr(message, "method", None)
        if (
            self._shutdown
            and method is not None
            and method != types.EXIT
            and getattr(message, "id", None) is not None
        ):
            error = JsonRpcInvalidRequest("the server is shutting down")
            self._send_response(message.id, None, error.to_response_error())
            return
        if isinstance(message, _Answered):
            return
        super().handle_message(message)

    # pygls would apply each change to a copy of its own that splits lines with `str.splitlines`
    # (a form feed, U+0085 or U+2028 ends a line there, not in the protocol) and clamps the change's
    # range in place, in the very params the handler reads next. hscale's LiveDocument is the only
    # copy: these notifications go to the handlers untouched.
    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams) -> Dispatch:
        yield from self._handler_for(types.TEXT_DOCUMENT_DID_OPEN, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> Dispatch:
        yield from self._handler_for(types.TEXT_DOCUMENT_DID_CHANGE, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams) -> Dispatch:
        yield from self._handler_for(types.TEXT_DOCUMENT_DID_CLOSE, params)

    def _handler_for(self, method: str, params: Any) -> Dispatch:
        handler = self.fm.features.get(method)
        if handler is not None:
            yield handler, (params,), None
