"""A small editor stand-in over pytest-lsp: the real server as a subprocess over stdio, with the
capability sets of real clients, and waits that poll for a condition instead of sleeping."""

from __future__ import annotations

import asyncio
import copy
import os
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

from hscale_ls.server.uris import to_uri

SERVER = [sys.executable, "-m", "hscale_ls", "serve"]
CLIENTS = ("vscode", "neovim")


def capabilities(name: str) -> types.ClientCapabilities:
    if name == "vscode":
        return pytest_lsp.client_capabilities("visual-studio-code")
    if name == "neovim":
        return pytest_lsp.client_capabilities("neovim@v0.11.0")
    if name == "vscode-pull":  # a current VS Code: pulls diagnostics and honours refresh requests
        caps = copy.deepcopy(pytest_lsp.client_capabilities("visual-studio-code"))
        caps.text_document.diagnostic = types.DiagnosticClientCapabilities(related_document_support=False)
        caps.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
        return caps
    raise ValueError(name)


def _make_client() -> LanguageClient:
    client = LanguageClient(converter_factory=default_converter)
    client.pushed = defaultdict(list)  # type: ignore[attr-defined]

    def publish(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
        client.diagnostics[params.uri] = params.diagnostics
        client.pushed[params.uri].append((params.version, list(params.diagnostics)))  # type: ignore[attr-defined]

    features = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish
    register_lsp_features(client, features)
    return client


LANGUAGE_IDS = {
    ".js": "javascript",
    ".mjs": "javascript",
    ".ts": "typescript",
    ".tsx": "typescriptreact",
    ".py": "python",
}


class Editor:
    def __init__(self, client: LanguageClient, root: Path, caps_name: str) -> None:
        self.client = client
        self.root = root
        self.caps_name = caps_name
        self.versions: dict[str, int] = {}
        self.result: types.InitializeResult | None = None

    @property
    def pulls(self) -> bool:
        return self.caps_name == "vscode-pull"

    @property
    def encoding(self) -> str:
        assert self.result is not None
        return str(self.result.capabilities.position_encoding or "utf-16")

    def uri(self, name: str) -> str:
        return to_uri(str(self.root / name))

    async def start(
        self, init_options: Any = None, settings: Any = None, folders: list[Path] | None = None
    ) -> None:
        if settings is not None:
            self.client.set_configuration(settings, section="hscale")
        folders = folders or [self.root]
        self.result = await self.client.initialize_session(
            types.InitializeParams(
                capabilities=capabilities(self.caps_name),
                root_uri=to_uri(str(folders[0])),
                workspace_folders=[types.WorkspaceFolder(uri=to_uri(str(f)), name=f.name) for f in folders],
                initialization_options=init_options,
            )
        )

    def open(self, name: str, text: str | None = None) -> str:
        path = self.root / name
        text = path.read_text() if text is None else text
        self.versions[name] = 1
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=self.uri(name), language_id=LANGUAGE_IDS[path.suffix], version=1, text=text
                )
            )
        )
        return self.uri(name)

    def change(self, name: str, *changes: types.TextDocumentContentChangeEvent) -> int:
        self.versions[name] += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=self.uri(name), version=self.versions[name]
                ),
                content_changes=list(changes),
            )
        )
        return self.versions[name]

    async def diagnostics(
        self,
        name: str,
        until: Callable[[list[types.Diagnostic]], bool] = lambda d: True,
        version: int | None = None,
        timeout: float = 15.0,
    ) -> list[types.Diagnostic]:
        """The document's diagnostics once `until` holds (pushed for that version, or pulled)."""
        uri = self.uri(name)
        deadline = asyncio.get_running_loop().time() + timeout
        last: list[types.Diagnostic] | None = None
        while asyncio.get_running_loop().time() < deadline:
            if self.pulls:
                report = await self.client.text_document_diagnostic_async(
                    types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
                )
                last = list(report.items)
            else:
                pushed = self.client.pushed.get(uri, [])  # type: ignore[attr-defined]
                if pushed and (version is None or pushed[-1][0] == version):
                    last = pushed[-1][1]
            if last is not None and until(last):
                return last
            await asyncio.sleep(0.02)
        raise AssertionError(f"no diagnostics for {name} matching the condition; last seen: {last}")

    async def wait_for(self, condition: Callable[[], bool], timeout: float = 15.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            if condition():
                return
            await asyncio.sleep(0.02)
        raise AssertionError("condition not met in time")


async def start_client(*arguments: str, env: dict[str, str] | None = None) -> LanguageClient:
    """The server as a subprocess; `env` is added to this process's environment."""
    config = ClientServerConfig(
        server_command=[*SERVER, *arguments],
        client_factory=_make_client,
        server_env={**os.environ, **env} if env else None,
    )
    return await config.start()  # type: ignore[return-value]


async def start_client_as(command: list[str], cwd: str, env: dict[str, str] | None) -> LanguageClient:
    """The server started exactly as an editor computes it: command, working directory, environment."""
    client = _make_client()
    await client.start_io(*command, cwd=cwd, env=env)
    return client


def apply_workspace_edit(
    edit: types.WorkspaceEdit, encoding: str, read: Callable[[str], str]
) -> dict[str, str]:
    """What a client does with a WorkspaceEdit, using pygls' own document model: new text per URI."""
    from pygls.workspace import TextDocument
    from pygls.workspace.position_codec import PositionCodec

    results: dict[str, str] = {}
    per_uri: list[tuple[str, list[types.TextEdit]]] = []
    for change in edit.document_changes or []:
        if isinstance(change, types.CreateFile):
            results.setdefault(change.uri, "")
        elif isinstance(change, types.TextDocumentEdit):
            per_uri.append((change.text_document.uri, list(change.edits)))  # type: ignore[arg-type]
    for uri, edits in (edit.changes or {}).items():
        per_uri.append((uri, list(edits)))
    for uri, edits in per_uri:
        text = results[uri] if uri in results else read(uri)
        document = TextDocument(uri, text, position_codec=PositionCodec(encoding=encoding))
        for text_edit in sorted(
            edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True
        ):
            document.apply_change(
                types.TextDocumentContentChangePartial(range=text_edit.range, text=text_edit.new_text)
            )
        results[uri] = document.source
    return results
