"""A tiny S3-compatible HTTP store that ignores conditional headers, as some real ones do.

It answers PUT, GET, HEAD and DELETE on any path with S3's status codes and ETags, and
accepts `If-None-Match: *` and `If-Match` without checking them.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    objects: dict[str, bytes]

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    def do_PUT(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        self.objects[self.path] = body  # If-None-Match / If-Match ignored
        self._answer(200, etag=hashlib.md5(body).hexdigest())

    def do_GET(self) -> None:
        body = self.objects.get(self.path)
        if body is None:
            self._answer(404, body=b"<Error><Code>NoSuchKey</Code></Error>")
            return
        self._answer(200, etag=hashlib.md5(body).hexdigest(), body=body)

    def do_DELETE(self) -> None:
        self.objects.pop(self.path, None)
        self._answer(204)

    def _answer(self, status: int, *, etag: str | None = None, body: bytes = b"") -> None:
        self.send_response(status)
        if etag:
            self.send_header("ETag", f'"{etag}"')
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def careless_s3() -> Iterator[str]:
    """Run the store on 127.0.0.1 and yield its endpoint URL."""
    handler = type("Handler", (_Handler,), {"objects": {}})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
