"""Settings changes: re-read every folder's `hscale` section and analyse again under the new settings."""

from __future__ import annotations

from lsprotocol import types

from hscale_ls.server.server import HscaleServer


async def workspace_did_change_configuration(
    ls: HscaleServer, params: types.DidChangeConfigurationParams
) -> None:
    pushed = params.settings
    if pushed and not ls.caps.configuration:  # a client without workspace/configuration pushes them
        for folder in ls.live.folders or [""]:
            ls.apply_settings(folder, pushed)
    await ls.load_settings()
    ls.published.clear()
    ls.publish_changed()
    if ls.caps.pull_diagnostics:
        ls.workspace_diagnostic_refresh(None)
