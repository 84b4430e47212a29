"""One error policy, through the real server over stdio. The server makes the handler of the LSP
method (or command) named by HSCALE_TEST_FAULT raise; a request to it is answered with an
InternalError and a short message, a notification to it is logged, the traceback reaches the
client's log, and the server keeps answering."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from tests.server.harness import Editor
from tests.server.test_lsp import CHAT_JS, IO_JS, ROOMS_JS, write

FAULT = "HSCALE_TEST_FAULT"


@pytest.fixture
def chat_app(tmp_path: Path) -> Path:
    write(tmp_path, {"package.json": "{}", "io.js": IO_JS, "rooms.js": ROOMS_JS, "chat.js": CHAT_JS})
    return tmp_path


def logged_failure(editor: Editor, what: str) -> bool:
    return any(
        f"{what} failed" in m.message and "Traceback" in m.message and m.type == types.MessageType.Error
        for m in editor.client.log_messages
    )


async def still_serving(editor: Editor) -> None:
    """Lenses answered, and an edit gets its diagnostics."""
    lenses = await editor.client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=editor.uri("io.js")))
    )
    assert len(lenses) == 1
    text = (editor.root / "chat.js").read_text().replace("const messages = [];\n", "")
    version = editor.change("chat.js", types.TextDocumentContentChangeWholeDocument(text=text))
    found = await editor.diagnostics("chat.js", until=lambda d: len(d) == 1, version=version)
    assert found[0].code == "presence-in-memory"


@pytest.mark.parametrize(
    ("method", "call"),
    [
        ("textDocument/hover", "hover"),
        ("hscale.audit", "audit"),
    ],
)
async def test_a_request_whose_handler_raises_gets_an_internal_error(
    editor_factory, chat_app: Path, method: str, call: str
) -> None:
    editor: Editor = await editor_factory("vscode", env={FAULT: method})
    await editor.start(init_options={"debounceMs": 0})
    uri = editor.open("chat.js")
    found = await editor.diagnostics("chat.js", until=lambda d: len(d) == 2)
    with pytest.raises(JsonRpcException) as failure:
        if call == "hover":
            await editor.client.text_document_hover_async(
                types.HoverParams(
                    text_document=types.TextDocumentIdentifier(uri=uri), position=found[0].range.start
                )
            )
        else:
            await editor.client.workspace_execute_command_async(
                types.ExecuteCommandParams(command="hscale.audit", arguments=[uri])
            )
    where = method if call == "hover" else f"workspace/executeCommand {method}"
    assert failure.value.code == -32603  # InternalError
    assert failure.value.message == f"hscale: {where} failed (RuntimeError); the server log has the details"
    assert failure.value.data is None  # the traceback goes to the log, not into the answer
    await editor.wait_for(lambda: logged_failure(editor, where))
    await still_serving(editor)


async def test_a_notification_whose_handler_raises_is_logged_and_the_server_goes_on(
    editor_factory, chat_app: Path
) -> None:
    editor: Editor = await editor_factory("neovim", env={FAULT: "textDocument/didSave"})
    await editor.start(init_options={"debounceMs": 0})
    uri = editor.open("chat.js")
    await editor.diagnostics("chat.js", until=lambda d: len(d) == 2)
    editor.client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    await editor.wait_for(lambda: logged_failure(editor, "textDocument/didSave"))
    assert not any("Error in server" in m.message for m in editor.client.messages)  # logged, not a pop-up
    await still_serving(editor)
