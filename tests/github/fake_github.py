"""A fake GitHub REST API on 127.0.0.1 for tests: it keeps comments, issues and artifacts,
records every call, and can answer the next calls with canned errors (403, 429...)."""

from __future__ import annotations

import io
import json
import re
import threading
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "ghs_fakeTokenThatMustNeverBePrinted0123456789"
REPO = "acme/finance-ops"
REPO_ID = 4242
BODY_LIMIT = 65_536


@dataclass
class Call:
    """One request the fake received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class Canned:
    """A response to give instead of the real one, to requests matching `method` and `path`."""

    status: int
    headers: dict[str, str]
    body: dict[str, Any]
    method: str = ""
    path: str = ""
    times: int = 1


@dataclass
class FakeGitHub:
    """The state of the fake: what GitHub would hold for one repository."""

    base_url: str = ""
    calls: list[Call] = field(default_factory=list)
    comments: dict[int, dict[str, Any]] = field(default_factory=dict)
    issues: dict[int, dict[str, Any]] = field(default_factory=dict)
    pulls_by_commit: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    artifacts: dict[int, dict[str, Any]] = field(default_factory=dict)
    blobs: dict[int, bytes] = field(default_factory=dict)
    canned: list[Canned] = field(default_factory=list)
    page_size_cap: int = 100
    lock: threading.Lock = field(default_factory=threading.Lock)
    _next_id: int = 1000

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def fail_next(
        self,
        status: int,
        *,
        headers: dict[str, str] | None = None,
        message: str = "refused",
        method: str = "",
        path: str = "",
        times: int = 1,
    ) -> None:
        """Answer the next `times` matching requests with `status`."""
        self.canned.append(Canned(status, headers or {}, {"message": message}, method, path, times))

    def comments_on(self, number: int) -> list[dict[str, Any]]:
        """The comments on issue or pull request `number`, oldest first."""
        return [c for c in self.comments.values() if c["issue_number"] == number]

    def add_comment(self, number: int, body: str, user: str = "someone") -> dict[str, Any]:
        """A comment as a person (or another run) would have left it."""
        cid = self.new_id()
        comment = {
            "id": cid,
            "issue_number": number,
            "body": body,
            "user": {"login": user, "type": "Bot" if user.endswith("[bot]") else "User"},
            "html_url": f"https://github.example/{REPO}/pull/{number}#issuecomment-{cid}",
        }
        self.comments[cid] = comment
        return comment

    def merge(self, number: int, *, head_sha: str, merge_sha: str) -> None:
        """Record pull request `number` (head `head_sha`) as merged into `merge_sha`."""
        self.pulls_by_commit.setdefault(merge_sha, []).append(
            {
                "number": number,
                "merged_at": "2026-11-30T12:00:00Z",
                "merge_commit_sha": merge_sha,
                "head": {"sha": head_sha},
            }
        )

    def upload_artifact(
        self,
        name: str,
        files: dict[str, bytes],
        *,
        head_sha: str,
        head_repository_id: int = REPO_ID,
    ) -> int:
        """Store an artifact as actions/upload-artifact would, made by a run on `head_sha`."""
        aid = self.new_id()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for path, data in files.items():
                archive.writestr(path, data)
        self.blobs[aid] = buffer.getvalue()
        self.artifacts[aid] = {
            "id": aid,
            "name": name,
            "expired": False,
            "created_at": f"2026-11-30T12:{len(self.artifacts):02d}:00Z",
            "archive_download_url": f"{self.base_url}/repos/{REPO}/actions/artifacts/{aid}/zip",
            "workflow_run": {
                "id": 1,
                "repository_id": REPO_ID,
                "head_repository_id": head_repository_id,
                "head_sha": head_sha,
            },
        }
        return aid

    def writes(self) -> list[str]:
        """`METHOD path` of each call that changed something."""
        return [f"{c.method} {c.path}" for c in self.calls if c.method != "GET"]


Route = Callable[[FakeGitHub, "re.Match[str]", Call], tuple[int, Any, dict[str, str]]]
ROUTES: list[tuple[str, re.Pattern[str], Route]] = []


def route(method: str, pattern: str) -> Callable[[Route], Route]:
    def add(func: Route) -> Route:
        ROUTES.append((method, re.compile(pattern.replace("{repo}", re.escape(REPO))), func))
        return func

    return add


def _page(fake: FakeGitHub, call: Call, items: list[Any]) -> tuple[int, Any, dict[str, str]]:
    per_page = min(int(call.query.get("per_page", ["30"])[0]), fake.page_size_cap)
    page = int(call.query.get("page", ["1"])[0])
    chunk = items[(page - 1) * per_page : page * per_page]
    headers = {}
    if page * per_page < len(items):
        query = "&".join(f"{k}={v[0]}" for k, v in call.query.items() if k != "page")
        link = f"{fake.base_url}{call.path}?{query}&page={page + 1}"
        headers["Link"] = f'<{link}>; rel="next"'
    return 200, chunk, headers


@route("GET", r"/repos/{repo}/issues/(\d+)/comments")
def _list_comments(fake: FakeGitHub, m: re.Match[str], call: Call) -> Any:
    return _page(fake, call, fake.comments_on(int(m.group(1))))


def _too_long(body: Any) -> bool:
    return isinstance(body, dict) and len(str(body.get("body", ""))) > BODY_LIMIT


@route("POST", r"/repos/{repo}/issues/(\d+)/comments")
def _create_comment(fake: FakeGitHub, m: re.Match[str], call: Call) -> Any:
    if _too_long(call.body):
        return 422, {"message": "Validation Failed: body is too long"}, {}
    number = int(m.group(1))
    if number in fake.issues:
        fake.issues[number].setdefault("comments_log", []).append(call.body["body"])
    return 201, fake.add_comment(number, call.body["body"], user="github-actions[bot]"), {}


@route("PATCH", r"/repos/{repo}/issues/comments/(\d+)")
def _update_comment(fake: FakeGitHub, m: re.Match[str], call: Call) -> Any:
    comment = fake.comments.get(int(m.group(1)))
    if comment is None:
        return 404, {"message": "Not Found"}, {}
    if _too_long(call.body):
        return 422, {"message": "Validation Failed: body is too long"}, {}
    comment["body"] = call.body["body"]
    return 200, comment, {}


@route("DELETE", r"/repos/{repo}/issues/comments/(\d+)")
def _delete_comment(fake: FakeGitHub, m: re.Match[str], call: Call) -> Any:
    fake.comments.pop(int(m.group(1)), None)
    return 204, None, {}


@route("GET", r"/repos/{repo}/issues")
def _list_issues(fake: FakeGitHub, m: re.Match[str], call: Call) -> Any:
    state = call.query.get("state", ["open"])[0]
    labels = set(call.query.get("labels", [""])[0].split(",")) - {""}
    found = [
        i
        for i in fake.issues.values()
        if (state == "all" or i["state"] == state) and labels <= set(i["labels"])
    ]
    shown = [{**i, "labels": [{"name": n} for n in i["labels"]]} for i in found]
    return _page(fake, call, shown)


@route("POST", r"/repos/{repo}/issues")
def _create_issue(fake: FakeGitHub, m: re.Match[str], call: Call) -> Any:
    if _too_long(call.body):
        return 422, {"message": "Validation Failed: body is too long"}, {}
    number = len(fake.issues) + 1
    fake.issues[number] = {
        "number": number,
        "title": call.body["title"],
        "body": call.body.get("body", ""),
        "labels": list(call.body.get("labels", [])),
        "state": "open",
    }
    return 201, fake.issues[number], {}


@route("PATCH", r"/repos/{repo}/issues/(\d+)")
def _update_issue(fake: FakeGitHub, m: re.Match[str], call: Call) -> Any:
    issue = fake.issues.get(int(m.group(1)))
    if issue is None:
        return 404, {"message": "Not Found"}, {}
    if _too_long(call.body):
        return 422, {"message": "Validation Failed: body is too long"}, {}
    issue.update({k: v for k, v in call.body.items() if k in ("body", "state", "title")})
    return 200, issue, {}


@route("GET", r"/repos/{repo}/commits/([0-9a-f]+)/pulls")
def _pulls_of_commit(fake: FakeGitHub, m: re.Match[str], call: Call) -> Any:
    return 200, fake.pulls_by_commit.get(m.group(1), []), {}


@route("GET", r"/repos/{repo}/actions/artifacts")
def _list_artifacts(fake: FakeGitHub, m: re.Match[str], call: Call) -> Any:
    name = call.query.get("name", [""])[0]
    found = [a for a in fake.artifacts.values() if not name or a["name"] == name]
    return 200, {"total_count": len(found), "artifacts": found}, {}


@route("GET", r"/repos/{repo}/actions/artifacts/(\d+)/zip")
def _download_artifact(fake: FakeGitHub, m: re.Match[str], call: Call) -> Any:
    # GitHub answers with a redirect to short-lived blob storage.
    return 302, None, {"Location": f"{fake.base_url}/blob/{m.group(1)}?sig=signed"}


@route("GET", r"/blob/(\d+)")
def _blob(fake: FakeGitHub, m: re.Match[str], call: Call) -> Any:
    return 200, fake.blobs[int(m.group(1))], {"Content-Type": "application/zip"}


class _Handler(BaseHTTPRequestHandler):
    fake: FakeGitHub

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        call = Call(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=json.loads(raw) if raw else None,
        )
        with self.fake.lock:
            self.fake.calls.append(call)
            status, body, headers = self._answer(call)
        self._send(status, body, headers)

    def _answer(self, call: Call) -> tuple[int, Any, dict[str, str]]:
        authorized = call.headers.get("authorization") == f"Bearer {TOKEN}"
        if not authorized and not call.path.startswith("/blob/"):
            return 401, {"message": "Bad credentials"}, {}
        for canned in self.fake.canned:
            path = canned.path.replace("{repo}", REPO)
            matches = call.method.startswith(canned.method) and call.path.startswith(path)
            if canned.times > 0 and matches:
                canned.times -= 1
                return canned.status, canned.body, canned.headers
        for method, pattern, func in ROUTES:
            match = pattern.fullmatch(call.path)
            if method == call.method and match:
                return func(self.fake, match, call)
        return 404, {"message": "Not Found"}, {}

    def _send(self, status: int, body: Any, headers: dict[str, str]) -> None:
        if isinstance(body, bytes):
            data = body
        else:
            data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        if not isinstance(body, bytes):
            self.send_header("Content-Type", "application/json")
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_DELETE = _handle


@contextmanager
def running_fake_github() -> Iterator[FakeGitHub]:
    """A FakeGitHub serving on 127.0.0.1 (a free port) until the block ends."""
    fake = FakeGitHub()
    handler = type("Handler", (_Handler,), {"fake": fake})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
