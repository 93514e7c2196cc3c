"""A minimal OpenID provider *metadata* peer for unit tests: a real HTTP server on a free
loopback port serving a discovery document and a JWKS that tests can rotate, and
ID tokens signed with keys generated here. (The end-to-end tests use a real provider,
panva's oidc-provider: tests/oidc/.)"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CLIENT_ID = "upskill-unit"
CLIENT_SECRET = "unit-client-secret-never-logged-anywhere-at-all"


def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(private_key, kid: str) -> dict:
    jwk = RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
    return {**jwk, "kid": kid, "use": "sig", "alg": "RS256"}


@dataclass
class MetadataPeer:
    issuer: str = ""
    keys: dict = field(default_factory=dict)  # kid -> private key
    published: list = field(default_factory=list)  # kids in the JWKS
    jwks_fetches: int = 0
    discovery_fetches: int = 0

    def add_key(self, kid: str, *, publish: bool = True):
        self.keys[kid] = rsa_key()
        if publish:
            self.published.append(kid)
        return self.keys[kid]

    def id_token(self, *, kid: str = "k1", signing_key=None, **overrides) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": "subject-1",
            "iat": now,
            "exp": now + 300,
            "nonce": "the-nonce",
            **overrides,
        }
        claims = {name: value for name, value in claims.items() if value is not None}
        return jwt.encode(
            claims, signing_key or self.keys[kid], algorithm="RS256", headers={"kid": kid}
        )


def start_metadata_peer() -> tuple[MetadataPeer, ThreadingHTTPServer]:
    peer = MetadataPeer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 — http.server's name
            if self.path == "/.well-known/openid-configuration":
                peer.discovery_fetches += 1
                body = {
                    "issuer": peer.issuer,
                    "authorization_endpoint": f"{peer.issuer}/auth",
                    "token_endpoint": f"{peer.issuer}/token",
                    "jwks_uri": f"{peer.issuer}/jwks",
                    "end_session_endpoint": f"{peer.issuer}/session/end",
                }
            elif self.path == "/jwks":
                peer.jwks_fetches += 1
                body = {"keys": [public_jwk(peer.keys[kid], kid) for kid in peer.published]}
            else:
                self.send_error(404)
                return
            payload = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    peer.issuer = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return peer, server


def closed_port() -> int:
    """A loopback port nothing listens on: a provider that is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
