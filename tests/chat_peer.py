"""A real HTTP server standing in for a Slack or Teams incoming webhook: http.server on a
free loopback port, in a thread, recording every JSON body POSTed to it. It can answer
the next N requests with an error (a 500, a 404) to prove retries and refusals."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class ChatPeer:
    url: str
    received: list[dict] = field(default_factory=list)  # bodies answered 2xx
    requests: int = 0  # every POST, refused ones included
    fail_next: list[int] = field(default_factory=list)  # statuses to answer, in order
    headers: list[dict] = field(default_factory=list)
    ok_status: int = 200


def _handler(peer: ChatPeer):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length)
            peer.requests += 1
            if peer.fail_next:
                status = peer.fail_next.pop(0)
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"no")
                return
            peer.received.append(json.loads(body))
            peer.headers.append(dict(self.headers))
            self.send_response(peer.ok_status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok")  # what Slack answers

        def log_message(self, *args):  # keep the test output clean
            pass

    return Handler


@pytest.fixture
def chat_peer(settings):
    peer = ChatPeer(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(peer))
    peer.url = f"http://127.0.0.1:{server.server_address[1]}/services/T000/B000/secret"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.CHAT_WEBHOOK_ALLOW_HTTP_LOOPBACK = True
    settings.SITE_URL = "https://upskill.example"
    try:
        yield peer
    finally:
        server.shutdown()
        server.server_close()
