"""The only module that builds lsprotocol types from the engine's findings, spans and audits."""

from __future__ import annotations

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


def hover(finding: Finding, audit: Audit | None, encoding: str, caps: ClientCaps) -> types.Hover:
    rule = RULES[finding.rule]
    verdict = f"\n\n---\n\n**{audit.summary}**\n\n{audit.detail}" if audit is not None else ""
    text = f"{finding.message}\n\n{rule.markdown()}{verdict}"
    kind = types.MarkupKind.Markdown if caps.markdown_hover else types.MarkupKind.PlainText
    if kind == types.MarkupKind.PlainText:
        text = f"{finding.message}\n\n{rule.plain()}" + (
            f"\n{audit.summary}\n{audit.detail}" if audit else ""
        )
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
