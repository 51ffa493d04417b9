"""Local mode as a user runs it: `python -m local` in its own process, driven over real HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from local.consents import INTERVAL_VARIABLE
from policybound.policy import AWS_REGION

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LocalServer:
    process: subprocess.Popen[str]
    api_url: str
    moto_url: str
    banner: str
    # Everything the server printed after its banner (its logs), read continuously so that a full
    # pipe can never block the server.
    output: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)

    def logs(self) -> str:
        return "".join(self.output)

    def aws(self, service: str) -> Any:
        return boto3.client(
            service,
            region_name=AWS_REGION,
            endpoint_url=self.moto_url,
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            # Generous for a busy shared machine; it usually stops within two seconds.
            return self.process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def start_local(
    api_port: int | None = None,
    moto_port: int | None = None,
    extra_env: dict[str, str] | None = None,
    sigint_ignored: bool = False,
) -> LocalServer:
    """`sigint_ignored`: start it as a non-interactive shell starts a command in the background
    (`make run &` in a script), which hands it SIGINT ignored."""
    api_port, moto_port = api_port or free_port(), moto_port or free_port()
    # DEBUG: the checks that no PI reaches the logs see everything the application could log.
    env = dict(
        os.environ,
        PYTHONPATH=f"{ROOT / 'lambdas'}{os.pathsep}{ROOT}",
        PYTHONUNBUFFERED="1",
        POWERTOOLS_LOG_LEVEL="DEBUG",
        # No timer moving consent entries behind the tests' backs (some count stored items): a test
        # that needs them sealed calls POST /_local/seal-consents, as an operator would.
        **{INTERVAL_VARIABLE: "0"},
        **(extra_env or {}),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "local", "--api-port", str(api_port), "--moto-port", str(moto_port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=_ignore_sigint if sigint_ignored else None,
    )
    banner: list[str] = []
    deadline = time.monotonic() + 60
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        banner.append(line)
        if "Press Ctrl-C to stop" in line:
            break
    text = "".join(banner)
    if "Press Ctrl-C to stop" not in text:
        process.kill()
        raise RuntimeError(f"local mode did not start:\n{text}")
    return LocalServer(process, f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{moto_port}", text)


@contextmanager
def running_local(extra_env: dict[str, str] | None = None) -> Iterator[LocalServer]:
    """Local mode started for the block and stopped after it, however the block ends."""
    server = start_local(extra_env=extra_env)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="package")
def local_server() -> Iterator[LocalServer]:
    with running_local() as server:
        yield server


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session
