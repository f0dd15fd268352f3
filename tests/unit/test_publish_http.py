"""The HTTP client of the publisher against a scripted server on 127.0.0.1 (real sockets):
how each answer of a portal is read, retried or refused, with bounded timeouts."""

from __future__ import annotations

import json
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from opendata_mh.errors import PortalError
from opendata_mh.publish import RemoteClient

Answer = tuple[int, str, bytes]  # status, content type, body
HTML = b"<!DOCTYPE html><html><body><h1>Welcome to nginx!</h1></body></html>"


class Script:
    """A server that answers each request with the next scripted answer (the last repeats);
    ``hang`` answers nothing until the test ends."""

    def __init__(self, answers: list[Answer | str]) -> None:
        self.answers = answers
        self.requests: list[str] = []
        self.release = threading.Event()

    def next(self) -> Answer | str:
        n = len(self.requests) - 1
        return self.answers[min(n, len(self.answers) - 1)]


@pytest.fixture
def serve() -> Iterator[Callable[..., tuple[str, Script]]]:
    servers: list[tuple[ThreadingHTTPServer, Script]] = []

    def start(answers: list[Answer | str], tls: ssl.SSLContext | None = None) -> tuple[str, Script]:
        script = Script(answers)

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a: object) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                script.requests.append(self.path)
                answer = script.next()
                if answer == "hang":
                    script.release.wait(30)
                    return
                assert not isinstance(answer, str)
                status, ctype, body = answer
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer  # noqa: N815 (http.server names)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        if tls is not None:
            server.socket = tls.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append((server, script))
        scheme = "https" if tls else "http"
        return f"{scheme}://127.0.0.1:{server.server_address[1]}", script

    yield start
    for server, script in servers:
        script.release.set()
        server.shutdown()
        server.server_close()


def _client(url: str, **kw: object) -> tuple[RemoteClient, list[float], list[str]]:
    slept: list[float] = []
    lines: list[str] = []
    client = RemoteClient(url, "tok-1234", sleep=slept.append, progress=lines.append, **kw)  # type: ignore[arg-type]
    return client, slept, lines


OK: Answer = (
    200,
    "application/json",
    json.dumps({"success": True, "result": {"id": "x"}}).encode(),
)


@pytest.mark.parametrize(
    "body",
    [
        (500, "application/json", b'{"success": false, "error": "Internal Server Error"}'),
        (500, "application/json", b'{"success": false, "error": {"message": "db gone"}}'),
        (502, "text/html", HTML),
        (503, "text/plain", b"upstream unavailable"),
    ],
    ids=["json-string", "json-dict", "html", "text"],
)
def test_a_5xx_is_retried_whatever_the_body(serve, body: Answer) -> None:  # type: ignore[no-untyped-def]
    url, script = serve([body])
    client, slept, lines = _client(url)
    with pytest.raises(PortalError) as ei:
        client.call("package_show", {"id": "x"})
    assert ei.value.code == "portal.server-error" and ei.value.retryable
    assert len(script.requests) == 4 and slept == [0.5, 1.0, 2.0]
    assert "<" not in str(ei.value)
    assert sum("retry" in line for line in lines) == 3
    url, script = serve([body, OK])
    client, slept, _ = _client(url)
    assert client.call("package_show", {"id": "x"}) == {"id": "x"}
    assert len(script.requests) == 2


def test_413_is_upload_too_large(serve, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, script = serve([(413, "text/html", b"<html><h1>413 Request Entity Too Large</h1></html>")])
    f = tmp_path / "big.csv"
    f.write_bytes(b"a,b\n" * 1000)
    client, _slept, lines = _client(url)
    with pytest.raises(PortalError) as ei:
        client.call("resource_create", {"package_id": "p"}, files={"upload": f}, idempotent=False)
    assert ei.value.code == "portal.upload-too-large"
    assert len(script.requests) == 1 and "<" not in str(ei.value)
    assert any("big.csv" in line and "4,000 bytes" in line for line in lines)


@pytest.mark.parametrize("status", [200, 404])
def test_a_wrong_base_url_is_named_without_raw_html(serve, status: int) -> None:  # type: ignore[no-untyped-def]
    url, script = serve([(status, "text/html", HTML)])
    client, _, _ = _client(url + "/wrong")
    with pytest.raises(PortalError) as ei:
        client.call("organization_list_for_user", {"permission": "create_dataset"})
    err = ei.value
    assert err.code == "portal.wrong-url"
    assert "<" not in str(err) and "nginx" not in str(err)
    assert f"{url}/wrong/api/3/action/organization_list_for_user" in str(err)
    assert "--portal" in str(err) and len(script.requests) == 1


def test_a_hung_request_is_bounded_and_reports_progress(serve) -> None:  # type: ignore[no-untyped-def]
    url, script = serve(["hang"])
    client, slept, lines = _client(
        url, retries=2, timeout=(1.0, 0.3), file_timeout=(1.0, 0.3), heartbeat=0.1
    )
    with pytest.raises(PortalError) as ei:
        client.call("package_show", {"id": "x"})
    assert ei.value.code == "portal.timeout"
    assert len(script.requests) == 2 and slept == [0.5]
    assert any("still waiting for package_show" in line for line in lines)


def test_the_whole_run_has_a_deadline(serve) -> None:  # type: ignore[no-untyped-def]
    url, script = serve(["hang"])
    client, _slept, _ = _client(url, retries=10, timeout=(1.0, 0.3), total_timeout=0.5)
    with pytest.raises(PortalError) as ei:
        client.call("package_show", {"id": "x"})
    assert ei.value.code == "portal.timeout"
    assert len(script.requests) <= 2  # not ten attempts of 0.3 s


def test_a_tls_failure_is_not_called_unreachable_nor_retried(
    serve,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=not-the-portal",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    url, _script = serve([OK], tls=ctx)
    client, slept, _ = _client(url)
    with pytest.raises(PortalError) as ei:
        client.call("package_show", {"id": "x"})
    assert ei.value.code == "portal.tls-error"
    assert "unreachable" not in str(ei.value) and "cannot connect" not in str(ei.value)
    assert slept == [] and not ei.value.retryable


def test_a_cut_download_is_retried(serve) -> None:  # type: ignore[no-untyped-def]
    """A body shorter than its Content-Length (connection cut) is not taken as the file."""

    url, script = serve([(500, "text/plain", b"x"), (200, "text/csv", b"a,b\n1,2\n")])
    client, _slept, _lines = _client(url)
    assert client.download(url + "/f.csv") == b"a,b\n1,2\n"
    assert len(script.requests) == 2 and client.downloads == 2


def test_the_token_goes_to_the_portal_only(serve) -> None:  # type: ignore[no-untyped-def]
    seen: list[str | None] = []
    url, _ = serve([(200, "text/csv", b"a\n")])

    import requests

    real = requests.Session.get

    def spy(self, u, **kw):  # type: ignore[no-untyped-def]
        seen.append(kw.get("headers", {}).get("Authorization"))
        return real(self, u, **kw)

    client = RemoteClient("https://portal.example.org", "tok-1234")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(requests.Session, "get", spy)
        client.download(url + "/hosted.csv")
    assert seen == [None]


def test_a_damaged_json_answer_is_retried_not_called_a_wrong_url(serve) -> None:  # type: ignore[no-untyped-def]
    url, script = serve([(200, "application/json", b'{"success": true, "resu'), OK])
    client, slept, _ = _client(url)
    assert client.call("package_show", {"id": "x"}) == {"id": "x"}
    assert len(script.requests) == 2 and slept == [0.5]
