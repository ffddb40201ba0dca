"""A real S3 server for tests: moto's server on 127.0.0.1 (the `s3_endpoint` fixture in conftest.py), plus a small
HTTP proxy in front of it that answers 503 SlowDown to the first GET of chosen keys, as S3 does under load."""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def s3_client(endpoint: str):
    import boto3

    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="x", aws_secret_access_key="x",
                        region_name="us-east-1")  # fmt: skip


def s3fs_options(endpoint: str) -> dict:
    """What a config's `storage_options` holds to reach the test server."""
    return {"key": "x", "secret": "x", "client_kwargs": {"endpoint_url": endpoint, "region_name": "us-east-1"}}


class ForwardingProxy:
    """An HTTP proxy on 127.0.0.1 (its own thread) that forwards every request to `upstream`.

    `intercept(handler)` runs first for each request; when it returns True it has answered the request itself
    and nothing is forwarded. `port=0` picks a free port; the address is `self.url`.
    """

    def __init__(self, upstream: str, intercept=None, port: int = 0):
        upstream_host = upstream.removeprefix("http://")

        class Handler(BaseHTTPRequestHandler):
            def _forward(self):
                if intercept is not None and intercept(self):
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                connection = http.client.HTTPConnection(upstream_host, timeout=60)
                connection.request(self.command, self.path, body=body, headers=dict(self.headers))
                response = connection.getresponse()
                payload = response.read()
                self.send_response(response.status)
                for name, value in response.getheaders():
                    if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _forward

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


class ThrottlingProxy(ForwardingProxy):
    """Answer 503 SlowDown to the first GET of each key in `throttled`; forward everything else to `upstream`."""

    def __init__(self, upstream: str, throttled: set[str]):
        self.throttled = set(throttled)
        self.throttle_hits = 0
        super().__init__(upstream, intercept=self._throttle)

    def _throttle(self, handler: BaseHTTPRequestHandler) -> bool:
        key = handler.path.split("?")[0].rsplit("/", 1)[-1]
        if handler.command != "GET" or key not in self.throttled:
            return False
        self.throttled.discard(key)
        self.throttle_hits += 1
        body = b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
        handler.send_response(503)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
        return True
