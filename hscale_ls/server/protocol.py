"""The JSON-RPC protocol with two gaps closed: a request whose parameters cannot be read gets an
InvalidParams error (instead of no answer at all), and a request after `shutdown` gets InvalidRequest.
A client must never be left waiting on a request the server dropped."""

from __future__ import annotations

from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidRequest
from pygls.protocol import LanguageServerProtocol


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
