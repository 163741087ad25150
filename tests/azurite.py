"""A real Azure Blob Storage server for the tests: azurite, Microsoft's emulator, on a loopback port.

`.ci/run` installs it with npm under `.ci/node/`; `azurite-blob` on the PATH works too.
Tests that need it skip, with the reason, where neither is found.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path

ACCOUNT = "devstoreaccount1"
# azurite's well-known development key (public, documented by Microsoft; it opens nothing real)
KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
STORAGE_OPTIONS = {"account_name": ACCOUNT, "azure_storage_use_emulator": "true"}
ROOT = Path(__file__).resolve().parent.parent


def executable() -> str | None:
    """The azurite-blob command: the one `.ci/run` installs, else one on the PATH."""
    local = ROOT / ".ci" / "node" / "node_modules" / ".bin" / "azurite-blob"
    if local.exists():
        return str(local)
    return shutil.which("azurite-blob")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Azurite:
    """A running azurite-blob on a free loopback port with a temporary location."""

    def __init__(self, location: Path):
        command = executable()
        if command is None:
            raise FileNotFoundError("azurite-blob not found: run `npm install --prefix .ci/node azurite`")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(location / "azurite.log", "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [command, "--location", str(location / "data"), "--blobHost", "127.0.0.1", "--blobPort", str(self.port),
             "--skipApiVersionCheck", "--loose", "--silent"],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                break
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"azurite did not start: {(location / 'azurite.log').read_text()[-2000:]}")
            time.sleep(0.1)

    @property
    def environment(self) -> dict[str, str]:
        """What a process needs in its environment to reach this azurite (deltalake and the file cache)."""
        return {"AZURITE_BLOB_STORAGE_URL": self.url}

    def connection_string(self) -> str:
        return (f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={KEY};"
                f"BlobEndpoint={self.url}/{ACCOUNT};")

    def new_container(self) -> str:
        """A new empty container; its name."""
        from azure.storage.blob import BlobServiceClient

        name = "t" + uuid.uuid4().hex[:20]
        BlobServiceClient.from_connection_string(self.connection_string()).create_container(name)
        return name

    def new_root(self, name: str = "store") -> str:
        """The URI of a store under a new empty container."""
        return f"az://{self.new_container()}/{name}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def use(azurite: Azurite) -> None:
    """Point this process (and the processes it starts) at `azurite`."""
    os.environ.update(azurite.environment)
