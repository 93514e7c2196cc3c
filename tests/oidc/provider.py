"""Start the real OpenID provider (panva's oidc-provider, tests/oidc/provider.mjs) on a
free loopback port for a test, and stop it afterwards.

Node and the npm package come from `make setup` (package.json's devDependencies, no
network at test time). Where node is missing a local run skips; CI (CI set) fails."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "oidc" / "provider.mjs"
READY_TIMEOUT_SECONDS = 30


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _node() -> str:
    node = shutil.which("node")
    installed = (ROOT / "node_modules" / "oidc-provider").is_dir()
    if node and installed:
        return node
    message = "node or node_modules/oidc-provider missing (run `make setup`)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def running_provider(*, client: dict, accounts: dict, id_token_ttl: int | None = None):
    """Yield the issuer URL of a provider with one client and these test accounts."""
    node = _node()
    port = _free_port()
    config = {"port": port, "client": client, "accounts": accounts}
    if id_token_ttl:
        config["id_token_ttl"] = id_token_ttl
    with tempfile.TemporaryDirectory() as directory:
        config_path = Path(directory) / "provider.json"
        config_path.write_text(json.dumps(config))
        process = subprocess.Popen(
            [node, str(SCRIPT), str(config_path)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        lines: list[str] = []
        ready = threading.Event()

        def read_output():
            for line in process.stdout:
                lines.append(line.rstrip())
                if line.startswith("ready "):
                    ready.set()

        threading.Thread(target=read_output, daemon=True).start()
        try:
            if not ready.wait(READY_TIMEOUT_SECONDS):
                raise RuntimeError(f"the OpenID provider did not start: {lines[-20:]}")
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
