"""How `check --fix` writes: all files or none, never a half-written file, never through a symlink
that leaves the tree, and every manifest kept in its own encoding. Each test runs the real CLI."""

from __future__ import annotations

import codecs
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT
from tests.hardening import scale

APP = EXAMPLES / "socketio-cjs-memory"  # the adapter fix edits server.js and package.json


def copy(example: Path, where: Path) -> Path:
    shutil.copytree(example, where)
    return where


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def fix(folder: Path, **popen: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hscale_ls", "check", "--fix", "--no-cache", str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        **popen,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def before_and_after(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The example's files before and after an uninterrupted --fix."""
    folder = copy(APP, tmp_path_factory.mktemp("reference") / "app")
    before = snapshot(folder)
    done = fix(folder)
    after = snapshot(folder)
    assert done.returncode in (0, 1), done.stderr
    assert {name for name in after if before.get(name) != after[name]} >= {"package.json", "server.js"}
    return before, after


def assert_each_file_old_or_new(folder: Path, before: dict[str, bytes], after: dict[str, bytes]) -> None:
    now = snapshot(folder)
    # a kill between writing a temporary file and renaming it leaves that file (the next --fix in
    # that folder removes it, see below); it must be one of ours, hidden, beside its target
    leftovers = [name for name in now if name not in before and name not in after]
    assert all(re.fullmatch(r"\.[\w.]+\.hscale-\d+-\d+\.tmp", name) for name in leftovers), leftovers
    for name, content in now.items():
        if name in leftovers:
            continue
        assert content in (before.get(name), after.get(name)), f"{name} is neither old nor new:\n{content!r}"


def test_a_write_that_fails_part_way_changes_no_file(
    tmp_path: Path, before_and_after: tuple[dict[str, bytes], dict[str, bytes]]
) -> None:
    """A disk that fills up while --fix writes (here: a file size limit the kernel enforces) leaves
    every file as it was, and says so without a traceback."""
    before, after = before_and_after
    limit = len(after["package.json"]) - 1  # too small for the fixed package.json, in any order
    folder = copy(APP, tmp_path / "app")

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = fix(folder, preexec_fn=small_files)
    assert snapshot(folder) == before
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "no file under" in done.stderr and "was changed" in done.stderr


@pytest.mark.timeout(scale.timeout(120, 1200))
def test_a_kill_at_any_moment_leaves_every_file_old_or_new(
    tmp_path: Path, before_and_after: tuple[dict[str, bytes], dict[str, bytes]]
) -> None:
    before, after = before_and_after
    # how long a whole run takes here, to spread the kills over it
    started = time.monotonic()
    fix(copy(APP, tmp_path / "timing"))
    whole = time.monotonic() - started
    kills = scale.size(12, 100)
    finished = 0
    for attempt in range(kills):
        folder = copy(APP, tmp_path / f"app{attempt}")
        process = subprocess.Popen(
            [sys.executable, "-m", "hscale_ls", "check", "--fix", "--no-cache", str(folder)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
        time.sleep(whole * (0.55 + 0.5 * attempt / kills))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        finished += snapshot(folder) == after
        assert_each_file_old_or_new(folder, before, after)
    assert finished < kills, "every run finished before its kill: the kills did not land in the run"


def make_unwritable(path: Path) -> None:
    if os.geteuid() != 0:
        path.chmod(0o444)
        return
    # root writes through permission bits; an immutable file refuses even root
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)]).returncode != 0:
        pytest.skip("running as root on a file system without chattr +i: cannot make a file unwritable")


def make_writable(path: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(path)], check=False)
    else:
        path.chmod(0o644)


def test_an_unwritable_target_is_reported_and_nothing_is_half_fixed(tmp_path: Path) -> None:
    folder = copy(APP, tmp_path / "app")
    before = snapshot(folder)
    make_unwritable(folder / "package.json")
    try:
        done = fix(folder)
    finally:
        make_writable(folder / "package.json")
    assert "Traceback" not in done.stderr
    assert done.returncode == 2, done.stderr
    assert "package.json is not writable" in done.stderr
    # the adapter fix needs both files: it is not applied to server.js alone
    now = snapshot(folder)
    assert now["package.json"] == before["package.json"]
    assert b"createAdapter" not in now["server.js"]


def test_a_manifest_symlinked_out_of_the_tree_is_never_written(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    folder = copy(APP, tmp_path / "app")
    (folder / "package.json").rename(outside / "package.json")
    (folder / "package.json").symlink_to(outside / "package.json")
    kept = (outside / "package.json").read_bytes()
    done = fix(folder)
    assert (outside / "package.json").read_bytes() == kept
    assert (folder / "package.json").is_symlink()
    assert "Traceback" not in done.stderr
    assert done.returncode == 2, done.stderr
    assert "a symbolic link to" in done.stderr and "outside" in done.stderr
    assert b"createAdapter" not in (folder / "server.js").read_bytes()


def test_a_manifest_symlinked_inside_the_tree_is_fixed_where_it_lives(tmp_path: Path) -> None:
    folder = copy(APP, tmp_path / "app")
    (folder / "config").mkdir()
    (folder / "package.json").rename(folder / "config" / "package.json")
    (folder / "package.json").symlink_to(Path("config") / "package.json")
    done = fix(folder)
    assert done.returncode in (0, 1), done.stderr
    assert (folder / "package.json").is_symlink()
    assert b"@socket.io/redis-adapter" in (folder / "config" / "package.json").read_bytes()


def test_modes_are_kept(tmp_path: Path) -> None:
    folder = copy(APP, tmp_path / "app")
    (folder / "server.js").chmod(0o640)
    (folder / "package.json").chmod(0o604)
    fix(folder)
    assert b"createAdapter" in (folder / "server.js").read_bytes()
    assert (folder / "server.js").stat().st_mode & 0o777 == 0o640
    assert (folder / "package.json").stat().st_mode & 0o777 == 0o604


@pytest.mark.parametrize(
    ("codec", "mark"),
    [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE), ("utf-8", codecs.BOM_UTF8)],
)
def test_a_requirements_file_keeps_its_encoding_and_pip_still_reads_it(
    tmp_path: Path, codec: str, mark: bytes
) -> None:
    folder = copy(EXAMPLES / "flask-socketio-memory", tmp_path / "app")
    requirements = folder / "requirements.txt"
    text = requirements.read_text().replace("\n", "\r\n")
    requirements.write_bytes(mark + text.encode(codec))
    done = fix(folder)
    assert done.returncode in (0, 1), done.stderr
    raw = requirements.read_bytes()
    assert raw.startswith(mark)
    fixed = raw[len(mark) :].decode(codec)
    assert fixed.startswith(text) and "redis" in fixed[len(text) :]
    assert "\r\n" in fixed[len(text) :] and "\n" not in fixed[len(text) :].replace("\r\n", "")
    # pip's own reader (it detects the mark) sees every requirement
    read = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys\n"
            "from pip._internal.network.session import PipSession\n"
            "from pip._internal.req.req_file import parse_requirements\n"
            "for r in parse_requirements(sys.argv[1], session=PipSession()): print(r.requirement)",
            str(requirements),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert read.returncode == 0, read.stderr
    names = [line.split(">")[0].split("=")[0].strip().lower() for line in read.stdout.split()]
    assert {"flask", "flask-socketio", "redis"} <= set(names), read.stdout


def test_temporary_files_of_a_killed_run_are_removed_by_the_next_one(tmp_path: Path) -> None:
    folder = copy(APP, tmp_path / "app")
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    stale = folder / f".server.js.hscale-{int(dead.stdout)}-0.tmp"
    stale.write_text("half")
    running = folder / f".package.json.hscale-{os.getpid()}-0.tmp"  # a run still writing
    running.write_text("half")
    done = fix(folder)
    assert done.returncode in (0, 1), done.stderr
    assert not stale.exists()
    assert running.exists()
