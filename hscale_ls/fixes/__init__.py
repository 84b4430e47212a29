"""Fixes: pure functions from a finding, its project's facts and file contents to edits.

The CLI (`check --fix`) and the language server (code actions) share them. Safe fixes add set-up
and leave every existing statement's meaning as it was; unsafe ones rewrite statements and are
only applied on request.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
from collections.abc import Callable

from hscale_ls.analysis.frameworks import kind_of
from hscale_ls.analysis.languages import LANGUAGES, language_for_path
from hscale_ls.analysis.project import Finding
from hscale_ls.fixes import bridge, database, database_node, history, node, presence, python
from hscale_ls.fixes.context import FixContext
from hscale_ls.fixes.model import Edit, Fix, apply

__all__ = [
    "Edit",
    "Fix",
    "FixContext",
    "apply",
    "declare_single_instance",
    "fixes_for",
    "suppress",
    "titles_for",
]

log = logging.getLogger("hscale_ls")
SUPPRESS_REASON = "explain why this state may stay in memory"
DECLARE_TITLE = "Declare this project single-instance in .hscale.toml"

# the fix builders a framework record names (`ServerKind.fix`); the registry never imports fixes
FRAMEWORK_FIXES: dict[str, Callable[[FixContext], list[Fix]]] = {
    "socket-io-adapter": node.socket_io_adapter,
    "nest-adapter": node.nest_adapter,
    "python-socketio-manager": python.python_socketio_manager,
    "flask-message-queue": python.flask_message_queue,
    "channels-redis-layer": python.channels_redis_layer,
}


def fixes_for(ctx: FixContext) -> list[Fix]:
    """Every fix for one finding, the preferred one first; suppression and declaration last."""
    finding = ctx.finding
    found: list[Fix] = []
    kind = kind_of(finding.framework)
    framework_fix = FRAMEWORK_FIXES.get(kind.fix) if kind is not None and kind.fix else None
    is_server_finding = finding.rule == "subscriptions-in-memory" and not finding.container_kind
    if framework_fix is not None and is_server_finding:
        found.extend(_built(framework_fix, ctx))
    if finding.rule == "history-in-memory":
        # the project's own database when it has a model the messages fit, else a Redis Stream
        found.extend(_built(database.history_database, ctx))
        found.extend(_built(database_node.history_database_node, ctx))
        found.extend(_built(history.history_stream, ctx))
    if finding.rule == "subscriptions-in-memory" and finding.container_kind:
        found.extend(_built(bridge.pubsub_bridge, ctx))
    if finding.rule == "presence-in-memory":
        found.extend(_built(presence.presence_sorted_set, ctx))
    source = ctx.read(finding.path)
    config_path = os.path.join(ctx.root, ".hscale.toml")
    if ctx.titles_only:
        if source is not None:
            found.append(Fix(suppress_title(finding), False, (), kind="suppress"))
        found.append(Fix(DECLARE_TITLE, False, (), kind="declare"))
        return found
    if source is not None:
        found.append(suppress(finding, source))
    found.append(declare_single_instance(config_path, ctx.read(config_path)))
    return found


def titles_for(ctx: FixContext) -> list[tuple[str, bool]]:
    """The title and safety of each fix `fixes_for` gives, in its order, without building any edit:
    each builder runs its checks of whether it applies and stops there."""
    return [(fix.title, fix.safe) for fix in fixes_for(dataclasses.replace(ctx, titles_only=True))]


def _built(builder: Callable[[FixContext], list[Fix]], ctx: FixContext) -> list[Fix]:
    """One builder's fixes. A builder that fails (a file it cannot make sense of, or a bug) offers
    nothing, instead of taking the finding's other fixes, the CLI run or the code action with it."""
    try:
        return builder(ctx)
    except Exception as error:  # RecursionError on a file nested thousands deep included
        log.warning(
            "no fix from %s for `%s`: %s: %s",
            builder.__name__,
            ctx.finding.name,
            type(error).__name__,
            str(error)[:200],
        )
        return []


def suppress_title(finding: Finding) -> str:
    return f"Suppress {finding.rule} for `{finding.name}` (with a reason)"


def suppress(finding: Finding, source: bytes) -> Fix:
    """A suppression comment on its own line above the finding, in the line's indentation."""
    line_start = finding.span.start_byte - finding.span.start.byte
    line = source[line_start:].split(b"\n", 1)[0]
    indent = line[: len(line) - len(line.lstrip(b" \t"))].decode("utf-8", errors="replace")
    newline = "\r\n" if line.endswith(b"\r") else "\n"
    language = LANGUAGES[language_for_path(finding.path) or "javascript"]
    comment = language.suppression_comment(finding.rule, SUPPRESS_REASON)
    edit = Edit(finding.path, line_start, line_start, indent + comment + newline)
    return Fix(suppress_title(finding), False, (edit,), kind="suppress")


_DEPLOYMENT = re.compile(rb'(?m)^[ \t]*deployment[ \t]*=[ \t]*("[^"\n]*"|\'[^\'\n]*\')[ \t]*$')


def declare_single_instance(config_path: str, existing: bytes | None) -> Fix:
    """Create `.hscale.toml` or set its top-level `deployment` key; other content stays as it was."""
    line = 'deployment = "single-instance"\n'
    if existing is None:
        return Fix(DECLARE_TITLE, False, (Edit(config_path, 0, 0, line, create=True),), kind="declare")
    # only a key before the first [table] is the top-level one
    table = re.search(rb"(?m)^[ \t]*\[", existing)
    head_end = table.start() if table else len(existing)
    match = _DEPLOYMENT.search(existing, 0, head_end)
    if match:
        value = match.span(1)
        return Fix(
            DECLARE_TITLE,
            False,
            (Edit(config_path, value[0], value[1], '"single-instance"'),),
            kind="declare",
        )
    return Fix(DECLARE_TITLE, False, (Edit(config_path, 0, 0, line),), kind="declare")
