"""file: URIs <-> paths. Non-file URIs (untitled:, git:) have no path and are not analysed."""

from __future__ import annotations

import os
from urllib.parse import quote, unquote, urlparse


def to_path(uri: str) -> str | None:
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    path = unquote(parsed.path)
    if os.name == "nt" and path.startswith("/") and len(path) > 2 and path[2] == ":":
        path = path[1:]
    return os.path.normpath(path)


def to_uri(path: str) -> str:
    return "file://" + quote(os.path.abspath(path).replace(os.sep, "/"))
