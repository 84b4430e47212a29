"""Command line: `hscale-ls check | audit | rules | serve`.

`check` and `audit` never import pygls or lsprotocol (they alone cost ~0.4 s of start-up).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .fixes.session import FixSession

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR, EXIT_SKIP = 0, 1, 2, 3
EXIT_CRASH = 70  # sysexits' EX_SOFTWARE: hscale-ls itself failed. Never 1, which CI reads as findings.
ISSUES_URL = "https://github.com/hscale-ls/hscale-ls/issues"


class _ProgressBar:
    """A progress bar on stderr, drawn only on a terminal and only once a scan has run ~1 s."""

    def __init__(self) -> None:
        # HSCALE_PROGRESS_AFTER (seconds) lets tests see the bar without a slow scan
        try:
            self.after = float(os.environ.get("HSCALE_PROGRESS_AFTER", "1.0"))
        except ValueError:
            self.after = 1.0
        self.started = time.monotonic()
        self.enabled = sys.stderr.isatty()
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or time.monotonic() - self.started < self.after:
            return
        width = 30
        filled = width * done // max(total, 1)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} files")
        sys.stderr.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            sys.stderr.write("\r" + " " * 60 + "\r")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hscale-ls",
        description="Find real-time state (presence, subscriptions, history) kept only in process memory.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command")
    check = commands.add_parser("check", help="report findings for files and folders")
    check.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    check.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    check.add_argument("--config", metavar="FILE", help="use this configuration file for every file")
    check.add_argument("--jobs", type=int, default=None, help="worker processes (default: every core)")
    check.add_argument("--no-cache", action="store_true", help="do not read or write the facts cache")
    check.add_argument("--fix", action="store_true", help="apply safe fixes (additive set-up only)")
    check.add_argument(
        "--unsafe-fixes", action="store_true", help="with --fix or --diff, also rewrite statements"
    )
    check.add_argument(
        "--diff", action="store_true", help="print the changes --fix would make, change nothing"
    )
    audit = commands.add_parser(
        "audit", help="inventory real-time state and give the horizontal-scaling-ready verdict"
    )
    audit.add_argument("path", nargs="?", default=".", metavar="PATH")
    audit.add_argument("--format", choices=("text", "json"), default="text")
    audit.add_argument("--config", metavar="FILE")
    audit.add_argument("--jobs", type=int, default=None)
    audit.add_argument("--no-cache", action="store_true", help="do not read or write the facts cache")
    commands.add_parser("rules", help="describe every rule")
    serve = commands.add_parser("serve", help="run the language server (stdio unless --tcp)")
    serve.add_argument("--stdio", action="store_true", help="talk LSP over stdin/stdout (the default)")
    serve.add_argument("--tcp", metavar="HOST:PORT", help="listen on a TCP port instead, for debugging")
    serve.add_argument("--log-level", choices=("error", "warning", "info", "debug"), default="info")
    serve.add_argument(
        "--no-cache",
        action="store_true",
        help="index the workspace without reading or writing the facts cache",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return EXIT_CLEAN if exit_.code == 0 else EXIT_ERROR
    if args.version:
        from . import __version__

        print(f"hscale-ls {__version__}")
        return EXIT_CLEAN
    if args.command == "rules":
        from .report import rules_text

        print(rules_text(), end="")
        return EXIT_CLEAN
    if args.command in {"check", "audit"}:
        return _run(args)
    if args.command == "serve":
        return _serve(args)
    parser.print_help(sys.stderr)
    return EXIT_ERROR


def _run(args: argparse.Namespace) -> int:
    from . import report
    from .analysis.engine import scan
    from .analysis.project import combine

    if args.config is not None and not os.path.isfile(args.config):
        print(f"hscale-ls: --config {args.config}: no such file", file=sys.stderr)
        return EXIT_ERROR
    if args.jobs is not None and args.jobs < 1:
        print("hscale-ls: --jobs must be at least 1", file=sys.stderr)
        return EXIT_ERROR
    cwd = os.getcwd()
    targets = args.paths if args.command == "check" else [args.path]
    if args.command == "check" and (args.fix or args.diff):
        changed, refused = _fix(args, targets, cwd)
        if args.diff:
            return EXIT_FINDINGS if changed else EXIT_CLEAN
        if refused:
            return EXIT_ERROR
    progress = _ProgressBar()
    try:
        cache_dir = None if args.no_cache else _cache_directory()
        result = scan(
            targets, config_file=args.config, jobs=args.jobs, progress=progress, cwd=cwd, cache_dir=cache_dir
        )
    finally:
        progress.close()
    for message in result.errors:
        print(f"hscale-ls: {report.shown(message)}", file=sys.stderr)
    for skipped in result.skipped:
        if skipped.reason not in {
            "test file",
            "minified file",
            "ignored by .gitignore",
            "excluded by configuration",
        }:
            print(
                f"hscale-ls: skipped {report.shown(report.display_path(skipped.path, cwd))}: {skipped.reason}",
                file=sys.stderr,
            )
    if args.command == "check":
        if args.format == "json":
            print(report.dumps(report.check_json(result, cwd, _fix_titles(result))))
        elif args.format == "sarif":
            print(report.dumps(report.check_sarif(result, cwd)))
        else:
            print(report.check_text(result, cwd))
        if result.errors:
            return EXIT_ERROR
        return EXIT_FINDINGS if result.findings else EXIT_CLEAN
    if args.format == "json":
        print(report.dumps(report.audits_json(result.audits, cwd)))
    else:
        print(report.audit_text(result, cwd))
    if result.errors:
        return EXIT_ERROR
    return {"pass": EXIT_CLEAN, "fail": EXIT_FINDINGS}.get(combine(result.audits), EXIT_SKIP)


def _cache_directory() -> str | None:
    """The facts cache directory, or None (with a warning) when there is no safe one."""
    from .analysis.cache import CacheLocationError, default_directory

    try:
        return default_directory()
    except CacheLocationError as error:
        print(f"hscale-ls: warning: facts cache not used: {error}", file=sys.stderr)
        return None


def _fix_titles(result: object) -> dict[tuple[str, str, int], list[str]]:
    from .fixes import FixContext, titles_for
    from .fixes.files import read_disk

    titles = {}
    for finding in result.findings:  # type: ignore[attr-defined]
        root, facts = result.project_of(finding.path)  # type: ignore[attr-defined]
        offered = titles_for(FixContext(finding, root, facts, read_disk))
        titles[(finding.path, finding.rule, finding.span.start_byte)] = [title for title, _ in offered]
    return titles


def _fix(args: argparse.Namespace, targets: list[str], cwd: str) -> tuple[int, bool]:
    """Apply (or, with --diff, show) fixes for the findings under `targets`, in the projects `check`
    evaluates for them; returns the number of files changed and whether a project refused to be
    written (then that project is left unchanged)."""
    from . import report
    from .analysis.live import LiveWorkspace
    from .fixes.files import WriteRefused
    from .fixes.session import FixSession

    def shown(path: str) -> str:
        return report.shown(report.display_path(path, cwd))

    live = LiveWorkspace(config_file=args.config, cwd=cwd)
    found = live.index_targets(targets)
    changed = 0
    refused = False
    for root, members in found.projects.items():
        wanted = found.requested.intersection(members)
        if not wanted:
            continue
        # the session sees every project; it fixes this one's requested files and writes only in it
        session = FixSession(live, boundary=root)
        session.run(unsafe=args.unsafe_fixes, only=wanted.__contains__)
        refused = refused or bool(session.refused)
        for title, why in session.refused:
            print(f"hscale-ls: not applied: {title}: {shown(why.path)} is {why.reason}", file=sys.stderr)
        if args.diff:
            sys.stdout.write(session.diff(shown))
            _applied(session, "would apply")
            changed += len(session.changed())
            continue
        try:
            written = session.write()
        except WriteRefused as error:
            refused = True
            for why in error.refusals:
                print(f"hscale-ls: cannot write {shown(why.path)}: {why.reason}", file=sys.stderr)
            print(f"hscale-ls: no file under {shown(root)} was changed", file=sys.stderr)
            continue
        for path in written:
            print(f"hscale-ls: fixed {shown(path)}", file=sys.stderr)
        _applied(session, "applied")
        changed += len(written)
    return changed, refused


def _applied(session: FixSession, verb: str) -> None:
    """Each applied fix's title, and under it what the fix does not do (its note)."""
    for title in session.applied:
        print(f"hscale-ls: {verb}: {title}", file=sys.stderr)
        if title in session.notes:
            print(f"hscale-ls:   note: {session.notes[title]}", file=sys.stderr)


def _serve(args: argparse.Namespace) -> int:
    import logging

    # stdout is the protocol channel: every log line goes to stderr (and to the client's log)
    logging.basicConfig(
        stream=sys.stderr,
        level=getattr(logging, args.log_level.upper()),
        format="hscale-ls %(levelname)s %(message)s",
    )
    if args.log_level != "debug":
        logging.getLogger("pygls").setLevel(logging.WARNING)
    from .server.features import create_server

    server = create_server(None if args.no_cache else _cache_directory())
    if args.tcp:
        host, _, port = args.tcp.rpartition(":")
        if not port.isdigit():
            print("hscale-ls: --tcp needs HOST:PORT", file=sys.stderr)
            return EXIT_ERROR
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io()
        if server.framing_error is not None:
            return EXIT_ERROR  # the input could not be read on: the client restarts the server
    # LSP: `exit` after `shutdown` ends with 0; without it (or when the client just vanished), with 1
    return EXIT_CLEAN if server.protocol.shutdown_requested else EXIT_FINDINGS


def entry() -> None:
    try:
        code = main()
        if not sys.stdout.closed:  # the language server's transport closes it when the client exits
            sys.stdout.flush()
    except BrokenPipeError:
        # the reader went away (`hscale-ls check | head`): not an error of ours; stop writing quietly
        # (stdout points at /dev/null so the interpreter's own flush at exit does not fail again)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 128 + 13  # as a shell reports a process that SIGPIPE ended
    except Exception as error:
        code = _crashed(error)
    sys.exit(code)


def _crashed(error: Exception) -> int:
    """An unexpected exception: one line saying so and where to report it, the traceback only when
    HSCALE_TRACEBACK is set, and an exit code of its own."""
    if os.environ.get("HSCALE_TRACEBACK"):
        import traceback

        traceback.print_exception(error, file=sys.stderr)
    detail = " ".join(f"{type(error).__name__}: {error}".split())[:300]
    print(
        f"hscale-ls: internal error ({detail}); please report it at {ISSUES_URL} "
        "(set HSCALE_TRACEBACK=1 for the traceback)",
        file=sys.stderr,
    )
    return EXIT_CRASH
