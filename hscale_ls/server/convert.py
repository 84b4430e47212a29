"""The only module (with `edit.py` for edits and code actions, and the registration table in
`features.py`) that builds lsprotocol values: diagnostics, reports, hovers, lenses, messages."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any

from lsprotocol import types

from hscale_ls.analysis.project import Audit, Finding
from hscale_ls.analysis.rules import RULES
from hscale_ls.analysis.text import Point, Span
from hscale_ls.server.capabilities import ClientCaps
from hscale_ls.server.uris import to_uri

SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}
SOURCE = "hscale"


def position(point: Point, encoding: str) -> types.Position:
    column = point.utf16 if encoding == "utf-16" else point.byte if encoding == "utf-8" else point.char
    return types.Position(line=point.line, character=column)


def range_of(span: Span, encoding: str) -> types.Range:
    return types.Range(start=position(span.start, encoding), end=position(span.end, encoding))


def diagnostic(finding: Finding, encoding: str, caps: ClientCaps) -> types.Diagnostic:
    rule = RULES[finding.rule]
    related = None
    if caps.related_information and finding.related:
        related = [
            types.DiagnosticRelatedInformation(
                location=types.Location(uri=to_uri(r.path), range=range_of(r.span, encoding)),
                message=r.message,
            )
            for r in finding.related
        ]
    return types.Diagnostic(
        range=range_of(finding.span, encoding),
        message=finding.message,
        severity=SEVERITY.get(finding.severity, types.DiagnosticSeverity.Warning),
        code=finding.rule,
        code_description=types.CodeDescription(href=rule.docs_url) if caps.code_description else None,
        source=SOURCE,
        related_information=related,
        data={
            "rule": finding.rule,
            "stateType": finding.state_type,
            "name": finding.name,
            "framework": finding.framework,
            "containerKind": finding.container_kind,
        },
    )


def hover(
    finding: Finding,
    audit: Audit | None,
    encoding: str,
    caps: ClientCaps,
    notes: Sequence[tuple[str, str]] = (),
) -> types.Hover:
    """The finding, its rule's documentation, the project's verdict, and each fix's note (what the fix
    leaves to the reader): hover is what every client shows, a code action has no room for it."""
    rule = RULES[finding.rule]
    # what decided the finding: the writes, the broadcasts, the rooms joined, the server
    evidence = [
        f"{os.path.basename(r.path)}:{r.span.start.line + 1} {r.message}" for r in finding.related[:6]
    ]
    if caps.markdown_hover:
        kind = types.MarkupKind.Markdown
        fixes = "".join(f"\n\n**Fix: {title}.** {note}" for title, note in notes)
        verdict = f"\n\n---\n\n**{audit.summary}**\n\n{audit.detail}" if audit is not None else ""
        seen = "".join(f"\n- {line}" for line in evidence)
        seen = f"\n\n**Evidence:**{seen}" if seen else ""
        text = f"{finding.message}{seen}\n\n{rule.markdown()}{fixes}{verdict}"
    else:
        kind = types.MarkupKind.PlainText
        fixes = "".join(f"\nFix: {title}. {note}" for title, note in notes)
        verdict = f"\n{audit.summary}\n{audit.detail}" if audit else ""
        seen = "".join(f"\n  {line}" for line in evidence)
        seen = f"\nEvidence:{seen}" if seen else ""
        text = f"{finding.message}{seen}\n\n{rule.plain()}{fixes}{verdict}"
    return types.Hover(
        contents=types.MarkupContent(kind=kind, value=text), range=range_of(finding.span, encoding)
    )


def code_lens(span: Span, audit: Audit, uri: str, encoding: str) -> types.CodeLens:
    return types.CodeLens(
        range=range_of(span, encoding),
        command=types.Command(title=audit.summary, command="hscale.audit", arguments=[uri]),
    )


def log_type(level: str) -> types.MessageType:
    return {
        "error": types.MessageType.Error,
        "warning": types.MessageType.Warning,
        "info": types.MessageType.Info,
    }.get(level, types.MessageType.Log)


def log_message(level: str, text: str) -> types.LogMessageParams:
    return types.LogMessageParams(type=log_type(level), message=text)


def warning_message(text: str) -> types.ShowMessageParams:
    return types.ShowMessageParams(type=types.MessageType.Warning, message=text)


def published(
    uri: str, version: int | None, diagnostics: Sequence[types.Diagnostic]
) -> types.PublishDiagnosticsParams:
    return types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=list(diagnostics))


def document_report(items: list[types.Diagnostic], rid: str, previous: str | None) -> Any:
    """A pulled document's diagnostics: `unchanged` when the client already has this result."""
    if previous == rid:
        return types.RelatedUnchangedDocumentDiagnosticReport(result_id=rid)
    return types.RelatedFullDocumentDiagnosticReport(items=items, result_id=rid)


def workspace_report(
    uri: str, version: int | None, items: list[types.Diagnostic], rid: str, previous: str | None
) -> types.WorkspaceDocumentDiagnosticReport:
    if previous == rid:
        return types.WorkspaceUnchangedDocumentDiagnosticReport(uri=uri, version=version, result_id=rid)
    return types.WorkspaceFullDocumentDiagnosticReport(uri=uri, version=version, items=items, result_id=rid)


def workspace_diagnostics(
    reports: list[types.WorkspaceDocumentDiagnosticReport],
) -> types.WorkspaceDiagnosticReport:
    return types.WorkspaceDiagnosticReport(items=reports)


def progress_begin(title: str) -> types.WorkDoneProgressBegin:
    return types.WorkDoneProgressBegin(title=title, percentage=0, cancellable=False)


def progress_report(done: int, total: int) -> types.WorkDoneProgressReport:
    return types.WorkDoneProgressReport(
        message=f"{done}/{total} files", percentage=int(100 * done / max(total, 1))
    )


def progress_end(message: str) -> types.WorkDoneProgressEnd:
    return types.WorkDoneProgressEnd(message=message)


def configuration_request(folders: Iterable[str], section: str) -> types.ConfigurationParams:
    return types.ConfigurationParams(
        items=[types.ConfigurationItem(scope_uri=to_uri(f), section=section) for f in folders]
    )


def file_watchers(registration_id: str, globs: Iterable[str]) -> types.RegistrationParams:
    return types.RegistrationParams(
        registrations=[
            types.Registration(
                id=registration_id,
                method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(
                    watchers=[types.FileSystemWatcher(glob_pattern=g) for g in globs]
                ),
            )
        ]
    )
