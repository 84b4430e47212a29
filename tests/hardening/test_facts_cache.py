"""The facts cache can neither run code nor hide a finding: it lives in an absolute, private directory
outside the scanned workspace, holds data that cannot execute on load, and never serves the facts of
other bytes than the file has now (a file changed during a scan, or restored from an archive with its
old size and modification time)."""

from __future__ import annotations

import ctypes
import hashlib
import os
import pickle
import select
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.hardening import scale

SERVER_JS = (
    'const { Server } = require("socket.io");\nconst io = new Server(3000);\n'
    'io.on("connection", (socket) => { socket.on("x", () => {}); });\n'
)
# the same size: an archive can restore one over the other with the same size and modification time
USERS_FLAGGED = (
    'const io = require("./server");\nconst onlineUsers = new Map();\n'
    'io.on("connection", (socket) => onlineUsers.set(socket.id, 1));\n'
)
USERS_CLEAN = USERS_FLAGGED.replace("onlineUsers.set", "onlineUsers.has")


def make_project(root: Path, users: str = USERS_FLAGGED) -> Path:
    root.mkdir(parents=True)
    (root / "package.json").write_text('{"dependencies": {"socket.io": "^4"}}')
    (root / "server.js").write_text(SERVER_JS)
    (root / "users.js").write_text(users)
    return root


def presence(result: object) -> bool:
    findings = result.json()["findings"]  # type: ignore[attr-defined]
    return any(f["rule"] == "presence-in-memory" and f["path"].endswith("users.js") for f in findings)


def plant(folder: Path, project: Path, marker: Path) -> Path:
    """A cache file where the facts cache of `project` used to be looked for in `folder`: a pickle
    that creates `marker` when it is loaded."""

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str, str]]:
            return open, (str(marker), "w")

    name = hashlib.blake2b(str(project).encode(), digest_size=8).hexdigest()
    folder.mkdir(parents=True, exist_ok=True)
    planted = folder / f"facts-{name}.pickle"
    planted.write_bytes(pickle.dumps(Payload()))
    return planted


PLACES = {
    # name: (environment, where that environment used to put the cache, relative to the project)
    "relative HSCALE_CACHE_DIR": ({"HSCALE_CACHE_DIR": "cache"}, "cache"),
    "relative XDG_CACHE_HOME": ({"XDG_CACHE_HOME": ".cache", "HOME": "{home}"}, ".cache/hscale-ls"),
    "relative HOME": ({"HOME": "home"}, "home/.cache/hscale-ls"),
    "HSCALE_CACHE_DIR inside the workspace": ({"HSCALE_CACHE_DIR": "{project}/.cache"}, ".cache"),
}


@pytest.mark.parametrize("place", PLACES)
def test_a_cache_file_planted_in_the_workspace_is_never_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, place: str
) -> None:
    project = make_project(tmp_path / "project")
    marker = tmp_path / "marker"
    environment, folder = PLACES[place]
    plant(project / folder, project, marker)
    home = tmp_path / "home"
    for name in ("HSCALE_CACHE_DIR", "XDG_CACHE_HOME", "HOME"):
        monkeypatch.delenv(name, raising=False)
    env = {k: v.format(home=home, project=project) for k, v in environment.items()}
    expected = run_cli("check", ".", "--format", "json", "--no-cache", cwd=project)

    result = run_cli("check", ".", "--format", "json", cwd=project, env=env)
    assert not marker.exists(), "the planted cache file was loaded"
    assert result.code == expected.code and result.json() == expected.json()
    assert "Traceback" not in result.stderr
    if place.startswith("relative XDG"):  # ignored, as the XDG specification says: the home's cache
        [written] = (home / ".cache" / "hscale-ls").iterdir()
        assert written.suffix == ".json"
    elif place != "HSCALE_CACHE_DIR inside the workspace":
        assert "facts cache not used" in result.stderr


def interpreter_for(uid: int, env: dict[str, str]) -> str:
    """A Python of this version that user `uid` can run with this test's packages (the virtual
    environment's may sit in a home folder only its owner can enter)."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (sys.executable, shutil.which(version) or "", f"/usr/bin/{version}"):
        try:
            probe = subprocess.run(
                [candidate, "-c", "import hscale_ls, tree_sitter"],
                env=env,
                user=uid,
                group=uid,
                capture_output=True,
                timeout=60,
            )
        except OSError:
            continue
        if probe.returncode == 0:
            return candidate
    pytest.skip("no Python with hscale-ls that another user can run")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs to run as another user")
def test_without_a_home_directory_the_cache_is_not_used() -> None:
    """HOME unset and a user without a password entry (as in many containers): `~` used to stay
    literal, which put the cache in `./~/.cache` of the scanned repository."""
    import pwd

    uid = 54321
    while True:  # a user id without a password entry
        try:
            pwd.getpwuid(uid)
        except KeyError:
            break
        uid += 1
    base = Path(tempfile.mkdtemp(prefix="hscale-nohome-"))
    try:
        os.chown(base, uid, uid)
        project = make_project(base / "project")
        marker = base / "marker"
        plant(project / "~" / ".cache" / "hscale-ls", project, marker)
        env = {k: v for k, v in os.environ.items() if k not in {"HOME", "HSCALE_CACHE_DIR", "XDG_CACHE_HOME"}}
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        completed = subprocess.run(
            [interpreter_for(uid, env), "-m", "hscale_ls", "check", ".", "--format", "json"],
            cwd=project,
            env=env,
            user=uid,
            group=uid,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert not marker.exists(), "the planted cache file was loaded"
        assert completed.returncode == 1 and '"presence-in-memory"' in completed.stdout, completed.stderr
        assert "facts cache not used" in completed.stderr
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_the_cache_directory_and_files_are_private(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    fresh = tmp_path / "fresh" / "hscale-ls"
    run_cli("check", str(project), env={"HSCALE_CACHE_DIR": str(fresh)})
    [written] = fresh.iterdir()
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o700
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    older = tmp_path / "older"  # as an earlier version left it: readable by everyone
    older.mkdir()
    older.chmod(0o755)
    run_cli("check", str(project), env={"HSCALE_CACHE_DIR": str(older)})
    assert [stat.S_IMODE(p.stat().st_mode) for p in older.iterdir()] == [0o600]
    shared = tmp_path / "shared"  # others could replace the cache file: not used at all
    shared.mkdir()
    shared.chmod(0o777)
    run_cli("check", str(project), env={"HSCALE_CACHE_DIR": str(shared)})
    assert not list(shared.iterdir())


@pytest.mark.parametrize("restored_mtime", ["as written", "years older"])
def test_a_file_restored_with_the_same_size_and_mtime_is_read_again(
    tmp_path: Path, restored_mtime: str
) -> None:
    """An archive (or `touch -r`) restores size and modification time; the bytes differ."""
    project = make_project(tmp_path / "project", USERS_CLEAN)
    users = project / "users.js"
    if restored_mtime == "years older":
        old = time.time_ns() - 5 * 365 * 86400 * 10**9
        os.utime(users, ns=(old, old))
    before = users.stat()
    env = {"HSCALE_CACHE_DIR": str(tmp_path / "cache")}
    assert not presence(run_cli("check", str(project), "--format", "json", env=env))

    users.write_text(USERS_FLAGGED)
    os.utime(users, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (users.stat().st_size, users.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert presence(run_cli("check", str(project), "--format", "json", env=env)), (
        "the restored file's stale facts came from the cache"
    )


IN_OPEN, IN_CLOSE_WRITE, IN_CLOSE_NOWRITE = 0x20, 0x08, 0x10


class SwapAfterFirstRead:
    """Rewrites a file with other bytes as soon as some process has read it once (inotify): the
    window between the cache look-up's digest and a worker's extraction of the same file."""

    def __init__(self, path: Path, other: str) -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        self.fd = libc.inotify_init1(os.O_CLOEXEC | os.O_NONBLOCK)
        if self.fd < 0 or libc.inotify_add_watch(self.fd, str(path).encode(), IN_CLOSE_NOWRITE) < 0:
            pytest.skip("inotify is not available")
        self.path, self.other = path, other
        self.swapped = threading.Event()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        while not self.stop.is_set() and not self.swapped.is_set():
            if not select.select([self.fd], [], [], 0.05)[0]:
                continue
            data = os.read(self.fd, 4096)
            _, mask, _, _ = struct.unpack_from("iIII", data)
            if mask & IN_CLOSE_NOWRITE:
                self.path.write_text(self.other)
                self.swapped.set()

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        os.close(self.fd)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify")
@pytest.mark.timeout(scale.timeout(60, 600))
def test_a_file_changed_during_a_scan_is_not_cached_with_the_content_it_had_before(tmp_path: Path) -> None:
    """`users.js` is flagged when the scan looks it up in the cache and clean when a worker extracts
    it. The facts cached must be those of the clean bytes: when the flagged text comes back, it is
    flagged again."""
    project = make_project(tmp_path / "project", USERS_CLEAN)
    filler = project / "lib"  # enough files for worker processes; users.js sorts before them
    filler.mkdir()
    for index in range(scale.size(80, 2000)):
        (filler / f"part{index:04}.js").write_text(
            f"const value{index} = {index};\nmodule.exports = value{index};\n"
        )
    env = {"HSCALE_CACHE_DIR": str(tmp_path / "cache")}
    users = project / "users.js"
    for _ in range(scale.size(3, 20)):
        assert not presence(run_cli("check", str(project), "--jobs", "2", "--format", "json", env=env))
        users.write_text(USERS_FLAGGED)  # changed since the last scan: looked up by its digest
        watcher = SwapAfterFirstRead(users, USERS_CLEAN)  # ... and clean again when the worker reads it
        try:
            run_cli("check", str(project), "--jobs", "2", "--format", "json", env=env)
        finally:
            watcher.close()
        assert watcher.swapped.is_set()
        users.write_text(USERS_FLAGGED)
        assert presence(run_cli("check", str(project), "--jobs", "2", "--format", "json", env=env)), (
            "the flagged text was served the facts of the clean one"
        )
        users.write_text(USERS_CLEAN)


def test_cached_facts_are_the_facts_and_nothing_else_decodes(tmp_path: Path) -> None:
    """Every example's and fixture's facts come back equal from the cache's encoding; values of
    another shape (a wrong type, length or literal, or a nesting deep enough to exhaust the parser)
    make the whole cache file ignored, never an error."""
    import json

    from hscale_ls.analysis.cache import FORMAT, FactsCache, engine_fingerprint
    from hscale_ls.analysis.engine import read_facts
    from hscale_ls.analysis.facts import FileFacts
    from hscale_ls.analysis.facts_json import decode_file_facts, to_json
    from tests.conftest import EXAMPLES, FIXTURES

    sources = [p for folder in (EXAMPLES, FIXTURES) for p in sorted(folder.rglob("*")) if p.is_file()]
    every = [f for f in map(read_facts, map(str, sources)) if isinstance(f, FileFacts)]
    assert len(every) > 50
    for item in every:
        assert decode_file_facts(json.loads(json.dumps(to_json(item)))) == item

    sample = next(f for f in every if f.containers and f.servers)
    good = to_json(sample)
    hostile = [
        None,
        {},
        "x",
        [],
        good[:-1],
        [*good, 1],
        [7, *good[1:]],  # a number for the path
        [*good[:2], "admin", *good[3:]],  # a role no fact has
        [*good[:4], [[*good[4][0][:4], [1, 2, "3", 4, 5, 6], *good[4][0][5:]]], *good[5:]],  # a span
        [*good[:7], [1, 2], *good[8:]],  # names that are numbers
        [*good[:8], [["f", {"a": 1}]], *good[9:]],  # a mapping for the callees
        [*good[:8], [["f"], [0], [[5]]], *good[9:]],  # a callee name that is not in the file's list
        "[" * 100_000,
    ]
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir(mode=0o700)
    for value in hostile:
        cache = FactsCache(str(cache_dir), "target")
        line = value if isinstance(value, str) and value.startswith("[") else json.dumps(value)
        path = Path(cache.path)
        header = json.dumps([*FORMAT, engine_fingerprint()])
        path.write_text(f'{header}\n["{sample.path}","d",1,2,3,4,5,{line}]\n["end",1]\n')
        path.chmod(0o600)
        assert FactsCache(str(cache_dir), "target").entries == {}, value
    path.write_text(f'{header}\n{json.dumps([sample.path, "d", 1, 2, 3, 4, 5, good])}\n["end",1]\n')
    assert FactsCache(str(cache_dir), "target").entries[sample.path][3] == sample
