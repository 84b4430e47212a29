"""Real services for the integration proofs: a redis-server on a free loopback port, Node packages
installed once into a cache outside the clone, and app instances started as process groups."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import provision


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            raise AssertionError(f"process exited with {process.returncode}:\n{output}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listened on port {port} within {timeout} s")


def stop(process: subprocess.Popen[bytes]) -> str:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    return process.stdout.read().decode(errors="replace") if process.stdout else ""


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail(
            "redis-server is not installed; `python -m tests.provision apt` installs it with apt-get (as root)"
        )
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for_port(port, process)
        yield f"redis://127.0.0.1:{port}"
    finally:
        stop(process)


@pytest.fixture
def clean_redis(redis_url: str) -> str:
    import redis

    redis.Redis.from_url(redis_url).flushall()
    return redis_url


@pytest.fixture(scope="session")
def node_modules() -> Path:
    """node_modules with the packages the Node examples and their fixes need (tests/provision.py)."""
    try:
        provision.step_node()
    except provision.ProvisionError as error:
        pytest.fail(f"the Node packages of the two-instance proofs could not be installed: {error}")
    return provision.node_folder() / "node_modules"


class Instances:
    """Two (or more) copies of one app on their own ports, against one Redis."""

    def __init__(
        self, command: list[str], cwd: Path, env: dict[str, str], port_arg: str | None = None
    ) -> None:
        self.command, self.cwd, self.env, self.port_arg = command, cwd, env, port_arg
        self.running: dict[int, subprocess.Popen[bytes]] = {}
        self.logs: list[str] = []

    def start(self, port: int | None = None) -> int:
        port = port or free_port()
        command = [part.replace("{port}", str(port)) for part in self.command]
        process = subprocess.Popen(
            command,
            cwd=self.cwd,
            env={**os.environ, **self.env, "PORT": str(port)},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.running[port] = process
        wait_for_port(port, process)
        return port

    def stop(self, port: int) -> None:
        self.logs.append(stop(self.running.pop(port)))

    def stop_all(self) -> None:
        for port in list(self.running):
            self.stop(port)


def copy_app(example: Path, destination: Path, node_modules: Path | None = None) -> Path:
    shutil.copytree(example, destination)
    if node_modules is not None:
        (destination / "node_modules").symlink_to(node_modules, target_is_directory=True)
    return destination


def python() -> str:
    return sys.executable
