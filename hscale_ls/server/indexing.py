"""The session's start and its workspace folders: read the settings, watch the files the engine
reads, and index each folder in the background (with progress when the client shows it)."""

from __future__ import annotations

import asyncio

from lsprotocol import types

from hscale_ls.server import convert
from hscale_ls.server.capabilities import reduce
from hscale_ls.server.server import WATCH_GLOBS, HscaleServer, log
from hscale_ls.server.settings import parse
from hscale_ls.server.uris import to_path


def start_session(ls: HscaleServer, params: types.InitializeParams) -> None:
    """What `initialize` tells: the client's capabilities, position encoding, options and folders."""
    ls.caps = reduce(params.capabilities)
    encoding = ls.workspace.position_encoding  # negotiated by pygls before our handler runs
    ls.encoding = str(getattr(encoding, "value", encoding) or "utf-16")
    ls.init_settings, errors = parse(params.initialization_options)
    for message in errors:
        ls.warn_once(message)
    folders = [to_path(f.uri) for f in params.workspace_folders or []]
    if not folders and params.root_uri:
        folders = [to_path(params.root_uri)]
    ls.live.folders = [f for f in folders if f]
    if ls.init_settings.config:
        ls.live.reset_configuration({f: ls.init_settings.config for f in ls.live.folders})


async def initialized(ls: HscaleServer, params: types.InitializedParams) -> None:
    try:
        await ls.load_settings()
    except Exception:
        log.exception("reading settings failed; using the defaults")
    if ls.caps.watched_files_dynamic:
        try:
            await ls.client_register_capability_async(
                convert.file_watchers("hscale-watched-files", WATCH_GLOBS)
            )
        except Exception:
            log.info("the client declined file watchers; closed files update when opened")
    ls.indexing = asyncio.ensure_future(ls.index(list(ls.live.folders)))


async def workspace_did_change_workspace_folders(
    ls: HscaleServer, params: types.DidChangeWorkspaceFoldersParams
) -> None:
    for folder in params.event.removed:
        path = to_path(folder.uri)
        if path:
            ls.live.remove_folder(path)
    added = [p for p in (to_path(f.uri) for f in params.event.added) if p]
    await ls.load_settings()
    if added:
        await ls.index(added)
    ls.publish_changed()
