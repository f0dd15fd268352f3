"""Real parts for the publishing tests: a static web server for a release, and a proxy on
127.0.0.1 that forwards to CKAN and injects one fault at request N.

Faults (``Fault.kind``):

- ``kill``: the request reaches CKAN, then the client process is killed (``on_kill``) before
  it gets the answer;
- ``drop``: the request reaches CKAN (the write happens), the answer is lost (connection cut);
- ``5xx-json`` / ``5xx-html``: a 500 with CKAN's JSON error string / a 502 HTML page, CKAN not
  asked;
- ``413``: a 413 HTML page (a proxy's upload limit), CKAN not asked;
- ``hang``: no answer until the test ends (the client's timeout must fire);
- ``corrupt``: an upload's bytes are damaged on the way to CKAN (one byte of the file part), or,
  without a body, the answer's body is damaged.

The proxy rewrites CKAN's own base URL in answers to its own, so downloads of stored files pass
through it too, like every request of a client that only knows the proxy.
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

JSON_500 = b'{"success": false, "error": "Internal Server Error"}'
HTML = b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>"


@dataclass
class Fault:
    kind: str
    at: int  # 1-based number of the request that fails


@dataclass
class Proxy:
    target: str
    fault: Fault | None = None
    url: str = ""
    seen: list[str] = field(default_factory=list)
    fired: bool = False
    release: threading.Event = field(default_factory=threading.Event)
    on_kill: Callable[[], None] = lambda: None
    _server: ThreadingHTTPServer | None = None

    def start(self) -> Proxy:
        proxy = self
        tgt = urlparse(self.target)

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a: object) -> None:
                pass

            def _send(self, status: int, ctype: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)
                self.close_connection = True

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                proxy.seen.append(f"{self.command} {self.path}")
                n = len(proxy.seen)
                fault = proxy.fault if proxy.fault and proxy.fault.at == n else None
                if fault:
                    proxy.fired = True
                kind = fault.kind if fault else ""
                if kind == "5xx-json":
                    return self._send(500, "application/json", JSON_500)
                if kind == "5xx-html":
                    return self._send(502, "text/html", HTML)
                if kind == "413":
                    return self._send(413, "text/html", HTML.replace(b"502 Bad Gateway", b"413"))
                if kind == "hang":
                    proxy.release.wait(60)
                    self.close_connection = True
                    return None
                if kind == "corrupt" and body and b"filename=" in body:
                    i = body.index(b"filename=")
                    i = body.index(b"\r\n\r\n", i) + 5  # a byte inside the file part
                    body = body[:i] + bytes([body[i] ^ 0x01]) + body[i + 1 :]
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in ("host", "content-length", "connection")
                }
                conn = http.client.HTTPConnection(tgt.hostname, tgt.port, timeout=60)
                conn.request(self.command, self.path, body=body or None, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                conn.close()
                if kind in ("drop", "kill"):
                    if kind == "kill":
                        proxy.on_kill()
                    self.close_connection = True
                    return None
                data = data.replace(proxy.target.encode(), proxy.url.encode())
                if kind == "corrupt" and not body:
                    data = data[:-10] + bytes(b ^ 0x20 for b in data[-10:])
                return self._send(
                    resp.status, resp.getheader("Content-Type") or "application/octet-stream", data
                )

            do_GET = do_POST = _handle  # noqa: N815 (http.server names)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


class StaticSite:
    """Python's http.server serving a directory on 127.0.0.1 (a free port), in a thread."""

    def __init__(self, root: Path) -> None:
        handler = partial(_QuietFiles, directory=str(root))
        self.root = root
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class _QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, *a: object) -> None:
        pass
