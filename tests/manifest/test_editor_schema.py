"""yaml-language-server (the editors' YAML checker) with the published schema checks every
document of a multi-document manifest file, each against its kind.

yaml-language-server reads the `# yaml-language-server: $schema=...` modeline per document, so
the bundled multi-document files carry it at the top of every document.

Drives the real server (npm `yaml-language-server`) over stdio with a minimal LSP client.
The server is found by `RAMPCTL_YAML_LANGUAGE_SERVER` or on PATH; `.ci/run` installs it. The
test skips only outside CI when the server is absent.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from rampctl.manifest.schema import SCHEMA_PATH

REPO = Path(__file__).resolve().parents[2]
WAIT_S = 60  # a generous bound for a slow machine, never reached when the server answers


def _server() -> str | None:
    return os.environ.get("RAMPCTL_YAML_LANGUAGE_SERVER") or shutil.which("yaml-language-server")


class LspClient:
    """Just enough of the Language Server Protocol to open files and read diagnostics."""

    def __init__(self, command: list[str]) -> None:
        self.proc = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self._next_id = 0
        threading.Thread(target=self._read, args=(self.proc.stdout,), daemon=True).start()

    def _read(self, stream: IO[bytes]) -> None:
        while True:
            headers: dict[str, str] = {}
            while (line := stream.readline().decode()) not in ("\r\n", ""):
                key, _, value = line.partition(":")
                headers[key.strip().lower()] = value.strip()
            if not headers:
                return
            self.messages.put(json.loads(stream.read(int(headers["content-length"]))))

    def send(self, method: str, params: Any, *, request: bool = False) -> int | None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "params": params}
        ident = None
        if request:
            self._next_id += 1
            ident = message["id"] = self._next_id
        self._write(message)
        return ident

    def _write(self, message: dict[str, Any]) -> None:
        body = json.dumps(message).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        self.proc.stdin.flush()

    def wait_for(self, want: Any) -> dict[str, Any]:
        """The next message `want` accepts, answering the server's own requests meanwhile."""
        while True:
            message = self.messages.get(timeout=WAIT_S)
            if "id" in message and "method" in message:  # a request from the server
                result: Any = None
                if message["method"] == "workspace/configuration":
                    result = [_SETTINGS["yaml"] for _ in message["params"]["items"]]
                self._write({"jsonrpc": "2.0", "id": message["id"], "result": result})
            if want(message):
                return message

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()


_SETTINGS = {"yaml": {"validate": True, "schemaStore": {"enable": False}, "format": {}}}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LspClient]:
    command = _server()
    if command is None:
        if os.environ.get("CI"):
            pytest.fail("yaml-language-server is not installed (.ci/run installs it from npm)")
        pytest.skip("yaml-language-server is not installed (npm install yaml-language-server)")
    client = LspClient([command, "--stdio"])
    root = tmp_path_factory.mktemp("workspace")
    ident = client.send(
        "initialize",
        {"processId": os.getpid(), "rootUri": root.as_uri(), "capabilities": {}},
        request=True,
    )
    client.wait_for(lambda m: m.get("id") == ident)
    client.send("initialized", {})
    client.send("workspace/didChangeConfiguration", {"settings": _SETTINGS})
    for _ in range(2):  # it asks for the settings after `initialized` and after the change
        client.wait_for(lambda m: m.get("method") == "workspace/configuration")
    yield client
    client.close()


def _diagnostics(server: LspClient, path: Path, text: str) -> list[dict[str, Any]]:
    uri = path.as_uri()
    server.send(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}},
    )
    message = server.wait_for(
        lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
    )
    return list(message["params"]["diagnostics"])


MODELINE = f"# yaml-language-server: $schema={(REPO / SCHEMA_PATH).as_uri()}\n"
VENDOR = "apiVersion: rampctl/v1\nkind: Vendor\nmetadata:\n  name: {name}\nspec:\n  name: N\n"
ACCOUNTING = (
    "apiVersion: rampctl/v1\nkind: AccountingVendor\nmetadata:\n  name: {name}\n"
    "spec:\n  remote_id: QB-1\n  name: N\n"
)


def test_every_document_of_a_file_is_checked_against_its_kind(
    server: LspClient, tmp_path: Path
) -> None:
    documents = [
        VENDOR.format(name="ok") + "  active: yes\n  contact: {email: a@b.example}\n",
        VENDOR.format(name="second") + "  colour: blue\n",  # an unknown field
        ACCOUNTING.format(name="third") + "  active: maybe\n",  # not a boolean
        ACCOUNTING.format(name="fourth") + "  phone: +14155550100\n",  # a Vendor-only field
    ]
    text = MODELINE + ("---\n" + MODELINE).join(documents)
    lines = text.splitlines()
    found = _diagnostics(server, tmp_path / "many.yaml", text)
    flagged = sorted({d["range"]["start"]["line"] for d in found})
    assert [lines[n].strip().split(":")[0] for n in flagged] == ["colour", "active", "phone"]


def test_a_modeline_covers_only_its_own_document(server: LspClient, tmp_path: Path) -> None:
    """Why every document carries the modeline: without it the server checks nothing there."""
    text = MODELINE + VENDOR.format(name="a") + "---\n" + VENDOR.format(name="b") + "  x: 1\n"
    assert _diagnostics(server, tmp_path / "one-modeline.yaml", text) == []


def test_a_valid_multi_document_file_has_no_diagnostics(server: LspClient, tmp_path: Path) -> None:
    bundled = REPO / "manifests" / "accounting" / "erp-vendors.yaml"
    text = bundled.read_text().replace(bundled.read_text().splitlines()[0] + "\n", MODELINE)
    assert text.count(MODELINE) == text.count("kind: AccountingVendor") == 8
    assert _diagnostics(server, tmp_path / "erp.yaml", text) == []
    broken = text.replace("code: WAYNE", "code: WAYNE\n  colour: blue")
    assert len(_diagnostics(server, tmp_path / "erp-broken.yaml", broken)) == 1
