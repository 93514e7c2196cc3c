import pytest

from tests.upskill.oidc_peer import CLIENT_ID, CLIENT_SECRET, start_metadata_peer


@pytest.fixture
def peer(settings):
    """Single sign-on configured against a loopback metadata peer with one key, "k1"."""
    peer, server = start_metadata_peer()
    peer.add_key("k1")
    settings.OIDC_ISSUER = peer.issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    # The discovery cache starts empty: every test has a cache of its own (tests/conftest.py).
    yield peer
    server.shutdown()
    server.server_close()
