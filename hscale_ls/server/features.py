"""The server's one registration table: LSP method -> handler and options, registered by
`create_server` through one error policy. Handlers live one module per concern (documents,
diagnostics, hover, code_actions, code_lens, configuration, indexing, commands).

Error policy: a request whose handler raises is answered with an InternalError carrying a short
message; a notification whose handler raises is dropped. Both log the traceback (stderr and the
client's log), and the server goes on serving.
"""

from __future__ import annotations

import functools
import inspect
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInternalError

from hscale_ls.server import (
    code_actions,
    code_lens,
    commands,
    configuration,
    convert,
    diagnostics,
    documents,
    edit,
    hover,
    indexing,
)
from hscale_ls.server.capabilities import ClientCaps
from hscale_ls.server.server import HscaleServer, log

# For the tests of the error policy: the handler of this LSP method (or command) raises.
TEST_FAULT = "HSCALE_TEST_FAULT"

Handler = Callable[..., Any]


@dataclass(frozen=True, slots=True)
class Feature:
    method: str
    handler: Handler
    options: Any = None
    only_for: Callable[[ClientCaps], bool] | None = None
    """Registered during `initialize`, and only for clients this holds for (the server's
    capabilities are computed from the registered features right after our initialize handler)."""


def initialize(ls: HscaleServer, params: types.InitializeParams) -> None:
    indexing.start_session(ls, params)
    register(ls, (f for f in FEATURES if f.only_for is not None and f.only_for(ls.caps)))


FEATURES: tuple[Feature, ...] = (
    Feature(types.INITIALIZE, initialize),
    Feature(types.INITIALIZED, indexing.initialized),
    Feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS, indexing.workspace_did_change_workspace_folders),
    Feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION, configuration.workspace_did_change_configuration),
    Feature(types.TEXT_DOCUMENT_DID_OPEN, documents.text_document_did_open),
    Feature(types.TEXT_DOCUMENT_DID_CHANGE, documents.text_document_did_change),
    Feature(types.TEXT_DOCUMENT_DID_SAVE, documents.text_document_did_save),
    Feature(types.TEXT_DOCUMENT_DID_CLOSE, documents.text_document_did_close),
    Feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES, documents.workspace_did_change_watched_files),
    # pull diagnostics only for clients that pull and accept refresh requests; others get them pushed
    Feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        diagnostics.text_document_diagnostic,
        types.DiagnosticOptions(
            identifier="hscale", inter_file_dependencies=True, workspace_diagnostics=True
        ),
        only_for=lambda caps: caps.pull_diagnostics,
    ),
    Feature(
        types.WORKSPACE_DIAGNOSTIC,
        diagnostics.workspace_diagnostic,
        only_for=lambda caps: caps.pull_diagnostics,
    ),
    Feature(types.TEXT_DOCUMENT_HOVER, hover.text_document_hover),
    Feature(types.TEXT_DOCUMENT_CODE_LENS, code_lens.text_document_code_lens),
    Feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        code_actions.text_document_code_action,
        types.CodeActionOptions(code_action_kinds=edit.KINDS, resolve_provider=True),
    ),
    Feature(types.CODE_ACTION_RESOLVE, code_actions.code_action_resolve),
)

COMMANDS: dict[str, Handler] = {"hscale.audit": commands.hscale_audit}


def create_server(cache_dir: str | None = None) -> HscaleServer:
    server = HscaleServer(cache_dir)
    handler = ClientLogHandler(server)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.addHandler(handler)
    register(server, (f for f in FEATURES if f.only_for is None))
    fault = os.environ.get(TEST_FAULT)
    for name, command in COMMANDS.items():
        command = _raising(command) if name == fault else command
        server.command(name)(guarded(f"{types.WORKSPACE_EXECUTE_COMMAND} {name}", command, request=True))
    return server


def register(server: HscaleServer, features: Iterable[Feature]) -> None:
    fault = os.environ.get(TEST_FAULT)
    for feature in features:
        if feature.method in server.protocol.fm.features:  # a second `initialize` registers nothing twice
            continue
        handler = _raising(feature.handler) if feature.method == fault else feature.handler
        request = types.METHOD_TO_TYPES[feature.method][1] is not None  # a notification has no result
        server.feature(feature.method, feature.options)(guarded(feature.method, handler, request))


def guarded(method: str, handler: Handler, request: bool) -> Handler:
    """The handler under the error policy (see the module's docstring). Errors the handler raises on
    purpose (JsonRpcException) go to the client as they are."""

    def failed(error: Exception) -> None:
        log.error("%s failed", method, exc_info=error)
        if request:
            message = f"hscale: {method} failed ({type(error).__name__}); the server log has the details"
            raise JsonRpcInternalError(message) from error

    if inspect.iscoroutinefunction(handler):

        @functools.wraps(handler)
        async def run_async(*args: Any) -> Any:
            try:
                return await handler(*args)
            except JsonRpcException:
                raise
            except Exception as error:
                return failed(error)

        return run_async

    @functools.wraps(handler)
    def run(*args: Any) -> Any:
        try:
            return handler(*args)
        except JsonRpcException:
            raise
        except Exception as error:
            return failed(error)

    return run


def _raising(handler: Handler) -> Handler:
    """A stand-in for `handler` that raises: how the tests make a handler fail on demand."""

    def fail() -> None:
        raise RuntimeError(f"{TEST_FAULT} made this handler fail")

    if inspect.iscoroutinefunction(handler):

        @functools.wraps(handler)
        async def raise_async(*args: Any) -> Any:
            fail()

        return raise_async

    @functools.wraps(handler)
    def raise_now(*args: Any) -> Any:
        fail()

    return raise_now


class ClientLogHandler(logging.Handler):
    """Mirrors the server's log records to the client as window/logMessage."""

    def __init__(self, server: HscaleServer) -> None:
        super().__init__()
        self.server = server

    def emit(self, record: logging.LogRecord) -> None:
        try:
            level = {logging.ERROR: "error", logging.WARNING: "warning", logging.INFO: "info"}.get(
                record.levelno, "log"
            )
            self.server.window_log_message(convert.log_message(level, self.format(record)))
        except Exception:  # the client may be gone; logging must never raise
            pass


__all__ = ["create_server"]
