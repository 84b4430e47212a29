"""Every fix on every example and fixture: the result parses no worse, no existing line is lost,
a second run changes nothing, and the safe fixes clear the findings they are for."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from hscale_ls.analysis.languages import language_for_path
from hscale_ls.analysis.live import LiveWorkspace
from hscale_ls.fixes import fixes_for
from hscale_ls.fixes.session import FixSession
from hscale_ls.fixes.style import ParsedSource
from tests.conftest import EXAMPLES, FIXTURES

FOLDERS = sorted(
    [p for p in EXAMPLES.iterdir() if p.is_dir()]
    + [case for rule in FIXTURES.iterdir() if rule.is_dir() for case in rule.iterdir() if case.is_dir()]
)


def session_for(folder: Path) -> FixSession:
    live = LiveWorkspace()
    live.index_folder(str(folder))
    return FixSession(live)


def check_lines_kept(before: bytes, after: bytes) -> None:
    """Untouched lines are byte-identical; a line may grow (a keyword argument, a dependency entry, a
    layer backend) or move (a broadcast loop into its delivery function), but no line's code is lost."""
    old, new = before.decode().splitlines(keepends=True), after.decode().splitlines(keepends=True)
    remaining = [line.strip() for line in new]
    for tag, i1, i2, _, _ in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "delete" or (tag == "replace" and i2 - i1 > 1):
            for line in old[i1:i2]:
                assert line.strip() in remaining, f"line lost: {line!r}"
                remaining.remove(line.strip())


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: f"{p.parent.name}/{p.name}")
@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
def test_fixes_are_careful(folder: Path, unsafe: bool, tmp_path: Path) -> None:
    work = tmp_path / folder.name
    shutil.copytree(folder, work)
    session = session_for(work)
    session.run(unsafe=unsafe)
    for path, content in session.changed().items():
        original = session.originals.get(path)
        if original is None:
            assert session.live.documents.get(path) is not None or path.endswith((".toml", ".json", ".txt"))
        else:
            check_lines_kept(original, content)
        if language_for_path(path):
            before_errors = ParsedSource.of(path, original).has_errors() if original else 0
            assert ParsedSource.of(path, content).has_errors() <= before_errors, path
    written = session.write()
    assert sorted(written) == sorted(session.changed())
    again = session_for(work)
    assert again.run(unsafe=unsafe) == 0, again.applied
    assert again.changed() == {}
    # a finding left over has no automatic fix at all (a NestJS gateway with no bootstrap file, say)
    for root in again.live.projects():
        for finding in again.live.result(root).findings:
            offered = [f for f in fixes_for(again.context(finding)) if f.kind == "fix" and (f.safe or unsafe)]
            assert offered == [], (finding.name, [f.title for f in offered])


def test_the_examples_get_the_expected_fixes(tmp_path: Path) -> None:
    applied = {}
    for name in (
        "socketio-cjs-memory",
        "socketio-esm-memory",
        "socketio-ts-memory",
        "nestjs-memory",
        "python-socketio-memory",
        "flask-socketio-memory",
        "django-channels-memory",
    ):
        work = tmp_path / name
        shutil.copytree(EXAMPLES / name, work)
        session = session_for(work)
        session.run()
        applied[name] = session.applied
    assert applied == {
        "socketio-cjs-memory": ["Add the Socket.IO Redis adapter (@socket.io/redis-adapter)"],
        "socketio-esm-memory": ["Add the Socket.IO Redis adapter (@socket.io/redis-adapter)"],
        "socketio-ts-memory": [
            "Add the Socket.IO Redis Streams adapter (keeps connection state recovery working)"
        ],
        "nestjs-memory": ["Add a RedisIoAdapter and install it in the NestJS bootstrap"],
        "python-socketio-memory": [
            "Fan out through Redis: client_manager=socketio.AsyncRedisManager(REDIS_URL)"
        ],
        "flask-socketio-memory": ["Fan out through Redis: SocketIO(..., message_queue=REDIS_URL)"],
        "django-channels-memory": ["Use the Redis channel layer (channels_redis.core.RedisChannelLayer)"],
    }


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def _tabs(text: str) -> str:
    lines = []
    for line in text.split("\n"):
        stripped = line.lstrip(" ")
        lines.append("\t" * ((len(line) - len(stripped)) // 2) + stripped if stripped else line)
    return "\n".join(lines)


def _single_quotes(text: str) -> str:
    return text.replace('"', "'") if "'" not in text else text


def _code_around(text: str, suffix: str) -> str:
    if suffix == ".py":
        return (
            "# leading comment\n\n\ndef before():\n    return 1\n\n\n"
            + text
            + "\n\ndef after():\n    return 2\n"
        )
    return (
        "// leading comment\nfunction before() {\n  return 1;\n}\n\n"
        + text
        + "\nfunction after() {\n  return 2;\n}\n"
    )


VARIATIONS = {"crlf": _crlf, "tabs": _tabs, "single-quotes": _single_quotes, "code-around": None}
MEMORY_EXAMPLES = sorted(
    p for p in EXAMPLES.iterdir() if p.name.endswith("-memory") or p.name == "python-socketio-sqlalchemy"
)


@pytest.mark.parametrize("variation", sorted(VARIATIONS))
@pytest.mark.parametrize("example", MEMORY_EXAMPLES, ids=lambda p: p.name)
def test_fixes_are_careful_on_style_variations(example: Path, variation: str, tmp_path: Path) -> None:
    work = tmp_path / example.name
    shutil.copytree(example, work)
    for path in work.rglob("*"):
        if path.suffix in {".js", ".ts", ".py"} and path.is_file():
            text = path.read_text()
            if variation == "code-around":
                text = _code_around(text, path.suffix)
            elif variation != "single-quotes" or path.suffix != ".py":
                text = VARIATIONS[variation](text)  # type: ignore[misc]
            path.write_bytes(text.encode())
    session = session_for(work)
    session.run(unsafe=True)
    for path, content in session.changed().items():
        original = session.originals.get(path)
        if original is not None:
            check_lines_kept(original, content)
            if variation == "crlf" and path.endswith((".js", ".ts", ".py")):
                assert b"\n" not in content.replace(b"\r\n", b""), "line endings stay CR LF"
            if variation == "tabs" and path.endswith((".js", ".ts")):
                inserted = set(content.decode().splitlines()) - set(original.decode().splitlines())
                assert not any(line.startswith("  ") for line in inserted), "indentation stays tabs"
        if language_for_path(path):
            before_errors = ParsedSource.of(path, original).has_errors() if original else 0
            assert ParsedSource.of(path, content).has_errors() <= before_errors, path
    session.write()
    assert session_for(work).run(unsafe=True) == 0
