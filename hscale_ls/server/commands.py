"""workspace/executeCommand: the commands the server offers (`hscale.audit`)."""

from __future__ import annotations

from typing import Any

from hscale_ls.server.server import HscaleServer
from hscale_ls.server.uris import to_path


def hscale_audit(ls: HscaleServer, *args: Any) -> dict[str, Any]:
    """The horizontal-scaling verdict of the project of a document (its URI), or of every project."""
    uri = args[0] if args and isinstance(args[0], str) else None
    path = to_path(uri) if uri else None
    return ls.audit_payload(path)
