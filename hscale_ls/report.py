"""Output formats for the CLI: text, JSON (a contract other tools rely on) and SARIF 2.1.0. The
language server's `hscale.audit` answers with the audit JSON written here."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from . import __version__
from .analysis.engine import ScanResult
from .analysis.project import Audit, Finding, combine
from .analysis.rules import CHECK_DOC, CHECK_ID, RULES

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SARIF_LEVELS = {"error": "error", "warning": "warning", "information": "note", "hint": "note"}


def display_path(path: str, cwd: str) -> str:
    relative = os.path.relpath(path, cwd)
    if relative.startswith(".."):
        relative = path
    return relative.replace(os.sep, "/")


# File names are not text a terminal or a JSON parser can take as they are: a name may hold escape
# sequences and newlines (which would forge output) or bytes that are not UTF-8 (which Python keeps
# as surrogates, `os.fsdecode`). Each format writes them its own way.


def shown(text: str) -> str:
    """`text` for a terminal: every character Python does not call printable (controls, line breaks,
    bidi overrides) as a visible escape, and a byte that is not UTF-8 as `\\xNN`."""
    if text.isprintable():
        return text
    return "".join(_shown_char(char) for char in text)


def _shown_char(char: str) -> str:
    if char.isprintable():
        return char
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8, as os.fsdecode keeps it
        return f"\\x{code - 0xDC00:02x}"
    escaped = repr(char)[1:-1]  # \n, \t, \x1b, \u202e
    return escaped if escaped.startswith("\\") else f"\\u{code:04x}"


def _raw(text: str) -> bytes:
    """The bytes a name had on disk."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that did not come from a byte
        return text.encode("utf-8", "surrogatepass")


def json_path(path: str, cwd: str) -> dict[str, str]:
    """A path for JSON: `path` is always valid UTF-8 (U+FFFD for a byte that is not); when it had to
    be replaced, `path_bytes` holds the exact name, base64-encoded."""
    name = display_path(path, cwd)
    raw = _raw(name)
    text = raw.decode("utf-8", "replace")
    if text == name:
        return {"path": name}
    return {"path": text, "path_bytes": base64.b64encode(raw).decode("ascii")}


def _uri(path: str) -> str:
    """A path as a URI reference: percent-encoded from its bytes, so every name survives."""
    return quote(_raw(path), safe="/")


# --- check ---------------------------------------------------------------------------------------


def check_text(result: ScanResult, cwd: str) -> str:
    lines = []
    for f in result.findings:
        start = f.span.start
        where = shown(display_path(f.path, cwd))
        lines.append(f"{where}:{start.line + 1}:{start.char + 1}: {f.rule} {shown(f.message)}")
    count = len(result.findings)
    summary = f"{count} finding{'s' if count != 1 else ''} in {result.files_scanned} file"
    summary += "s" if result.files_scanned != 1 else ""
    if result.skipped:
        summary += f" ({len(result.skipped)} skipped)"
    lines.append(("" if not lines else "\n") + summary + ".")
    for audit in result.audits.values():
        lines.append(f"{shown(display_path(audit.root, cwd)) or '.'}: {audit.summary}")
    return "\n".join(lines)


def check_json(
    result: ScanResult, cwd: str, titles: dict[tuple[str, str, int], list[str]] | None = None
) -> dict[str, Any]:
    titles = titles or {}
    return {
        "findings": [
            {
                **json_path(f.path, cwd),
                "line": f.span.start.line + 1,
                "column": f.span.start.char + 1,
                "end_line": f.span.end.line + 1,
                "end_column": f.span.end.char + 1,
                "rule": f.rule,
                "state_type": f.state_type,
                "severity": f.severity,
                "message": f.message,
                "fixes": titles.get((f.path, f.rule, f.span.start_byte), []),
            }
            for f in result.findings
        ],
        "files_scanned": result.files_scanned,
        "skipped": [{**json_path(s.path, cwd), "reason": s.reason} for s in result.skipped],
        "errors": result.errors,
    }


def check_sarif(result: ScanResult, cwd: str) -> dict[str, Any]:
    rule_ids = list(RULES)
    rules = [
        {
            "id": rule.id,
            "name": "".join(part.capitalize() for part in rule.id.split("-")),
            "shortDescription": {"text": rule.title},
            "fullDescription": {"text": rule.what},
            "help": {"text": rule.plain(), "markdown": rule.markdown()},
            "helpUri": rule.docs_url,
            "defaultConfiguration": {"level": "warning"},
            "properties": {
                "tags": ["reliability", "availability", "scalability"],
                "state_type": rule.state_type,
            },
        }
        for rule in RULES.values()
    ]
    results = []
    for f in result.findings:
        path = display_path(f.path, cwd)
        results.append(
            {
                "ruleId": f.rule,
                "ruleIndex": rule_ids.index(f.rule),
                "level": SARIF_LEVELS.get(f.severity, "warning"),
                "message": {"text": f.message},
                "locations": [_sarif_location(path, f.span)],
                "relatedLocations": [
                    {
                        **_sarif_location(display_path(r.path, cwd), r.span),
                        "id": i,
                        "message": {"text": r.message},
                    }
                    for i, r in enumerate(f.related)
                ],
                "partialFingerprints": {"primaryLocationLineHash/v1": _fingerprint(path, f)},
                "properties": {"state_type": f.state_type},
            }
        )
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "hscale-ls",
                        "version": __version__,
                        "informationUri": RULES["presence-in-memory"].docs_url.split("#")[0],
                        "rules": rules,
                    }
                },
                "results": results,
                "columnKind": "unicodeCodePoints",
                "originalUriBaseIds": {"%SRCROOT%": {"uri": _file_uri(cwd)}},
            }
        ],
    }


def _sarif_location(path: str, span: Any) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": _uri(path), "uriBaseId": "%SRCROOT%"},
            "region": {
                "startLine": span.start.line + 1,
                "startColumn": span.start.char + 1,
                "endLine": span.end.line + 1,
                "endColumn": span.end.char + 1,
            },
        }
    }


def _fingerprint(path: str, finding: Finding) -> str:
    # stable across unrelated edits: rule, file and the flagged name, not the line number
    digest = hashlib.sha256(_raw(f"{finding.rule}\0{path}\0{finding.name}")).hexdigest()
    return digest[:32]


def _file_uri(path: str) -> str:
    return "file://" + _uri(path.replace(os.sep, "/").rstrip("/") + "/")


# --- audit ---------------------------------------------------------------------------------------


def audit_json(audit: Audit, cwd: str) -> dict[str, Any]:
    return {
        "check": CHECK_ID,
        "verdict": audit.verdict,
        "detail": audit.detail,
        "backends": list(audit.backends),
        "external_state_types": list(audit.external_state_types),
        "memory_state_types": list(audit.memory_state_types),
        "locations": [
            {
                **json_path(loc.path, cwd),
                "line": loc.span.start.line + 1,
                "name": loc.name,
                "state_type": loc.state_type,
                "storage": loc.storage,
            }
            for loc in audit.locations
        ],
    }


def audits_json(by_root: Mapping[str, Audit], cwd: str) -> dict[str, Any]:
    """`audit --format json`, and the language server's `hscale.audit`: one project, its audit;
    several, the combined verdict with every project's audit listed. Paths are relative to `cwd`."""
    audits = list(by_root.values())
    if len(audits) == 1:
        return {**audit_json(audits[0], cwd), **_project(audits[0], cwd)}
    projects = [{**audit_json(a, cwd), **_project(a, cwd)} for a in audits]
    verdict = combine(by_root)
    union = sorted({b for a in audits for b in a.backends})
    return {
        "check": CHECK_ID,
        "verdict": verdict,
        "detail": f"{sum(a.verdict == verdict for a in audits)} of {len(audits)} projects {verdict}.",
        "backends": union,
        "external_state_types": sorted({t for a in audits for t in a.external_state_types}),
        "memory_state_types": sorted({t for a in audits for t in a.memory_state_types}),
        "locations": [loc for p in projects for loc in p["locations"]],
        "projects": projects,
    }


def _project(audit: Audit, cwd: str) -> dict[str, str]:
    where = json_path(audit.root, cwd)
    return {"project": where.pop("path"), **{f"project_{k}": v for k, v in where.items()}}


def audit_text(result: ScanResult, cwd: str) -> str:
    blocks = []
    for audit in result.audits.values():
        lines = [shown(display_path(audit.root, cwd))]
        for loc in audit.locations:
            where = f"{shown(display_path(loc.path, cwd))}:{loc.span.start.line + 1}"
            lines.append(f"  {where:<48} {loc.name:<32} {loc.state_type:<14} {loc.storage}")
        lines.append(f"  {CHECK_ID}: {audit.verdict.upper()}")
        lines.append(f"  {audit.detail}")
        blocks.append("\n".join(lines))
    if len(result.audits) > 1:
        blocks.append(f"overall: {combine(result.audits).upper()}")
    if not result.audits:
        blocks.append(f"{CHECK_ID}: SKIP\n  No source files found.")
    return "\n\n".join(blocks)


def rules_text() -> str:
    return "\n".join(rule.plain() for rule in RULES.values()) + "\n" + CHECK_DOC + "\n"


_SURROGATE = re.compile("[\ud800-\udfff]")


def dumps(data: Any) -> str:
    """JSON that is always valid UTF-8: a surrogate left in some string (paths are already made
    whole by `json_path`) becomes U+FFFD."""
    return _SURROGATE.sub("\ufffd", json.dumps(data, indent=2, ensure_ascii=False))
