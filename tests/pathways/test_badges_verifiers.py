"""Our signed Open Badges 3.0 credentials, checked by two verifiers nobody here wrote,
against a live server from which they fetch the credential, the issuer's profile (the
DIDs it vouches for) and the signed status list:

- Python: PyPI `openbadgeslib` (OB3LdpVerifier: eddsa-rdfc-2022 Data Integrity proofs,
  did:key, Bitstring Status List), fetching with its own `download_file` (loopback and
  plain HTTP allowed, as it must be for a test server);
- JavaScript: npm `@digitalbazaar/vc` with `@digitalbazaar/data-integrity`, the
  `@digitalbazaar/eddsa-rdfc-2022-cryptosuite` and `@digitalbazaar/vc-bitstring-status-list`,
  run by node (tests/pathways/verify_badge.mjs).

A revoked credential fails both; so does a credential changed after signing."""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from openbadgeslib.ob3.did import resolve_verification_method
from openbadgeslib.ob3.ldp import OB3LdpVerifier, verify_data_integrity_proof
from openbadgeslib.ob3.verifier import OB3VerificationError
from openbadgeslib.util import download_file

from pathways.models import IssuedBadge
from pathways.selectors import badges as selectors
from pathways.services import badges as services
from tests.factories import EnrollmentFactory, StageFactory, UserFactory

# serialized_rollback: the flush after a transactional test empties every table; this
# restores the migrations' seed rows (see tests/conftest.py).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

HERE = Path(__file__).resolve().parent
OB_CONTEXT_FILE = Path(settings.BASE_DIR) / "pathways" / "contexts" / "ob-v3p0-context-3.0.3.json"
NODE = shutil.which("node")
JS_VERIFIER_READY = NODE and (Path(settings.BASE_DIR) / "node_modules/@digitalbazaar/vc").exists()


@pytest.fixture
def shared_badge(live_server, settings) -> IssuedBadge:
    settings.SITE_URL = live_server.url
    enrollment = EnrollmentFactory(
        completed_at=timezone.now(),
        pathway__title="Support with AI",
        pathway__status="published",
        person__user__email="sam@example.com",
    )
    StageFactory(pathway=enrollment.pathway, title="Foundations")
    badge = services.badge_issue(enrollment=enrollment)
    services.badge_sharing_set(badge=badge, person=enrollment.person, is_public=True)
    return badge


def fetch(live_server, url: str) -> bytes:
    # openbadgeslib's own fetcher; only this test's server is reachable.
    assert url.startswith(live_server.url + "/"), url
    return download_file(url, allow_insecure=True, allow_private=True)


def openbadgeslib_verify(live_server, badge: IssuedBadge):
    download = functools.partial(fetch, live_server)
    profile = json.loads(download(selectors.issuer_url()))
    credential = download(live_server.url + f"/badges/{badge.public_id}/credential.json")
    # Anchored to the DID the site's issuer profile names: a credential signed by any
    # other key fails, however self-consistent.
    verifier = OB3LdpVerifier.for_issuer_did(profile["id"])
    # openbadgeslib checks a status list's own proof only for JWT lists
    # (verify_status_list), so here it reads the bit and the list's proof is checked
    # with its Data Integrity verifier below; the JS verifier checks both in one go.
    verified = verifier.verify(
        credential, check_status=True, download=download, verify_status_list=False
    )
    status_list = json.loads(
        download(json.loads(credential)["credentialStatus"]["statusListCredential"])
    )
    verify_data_integrity_proof(
        status_list, resolve_verification_method(status_list["proof"][0]["verificationMethod"])
    )
    assert status_list["issuer"] == profile["id"]
    return verified


def js_verify(live_server, badge: IssuedBadge) -> dict:
    completed = subprocess.run(
        [
            NODE,
            str(HERE / "verify_badge.mjs"),
            f"{live_server.url}/badges/{badge.public_id}/credential.json",
            selectors.issuer_url(),
            str(OB_CONTEXT_FILE),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=settings.BASE_DIR,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def revoke(badge: IssuedBadge) -> None:
    services.badge_revoke(badge=badge, by=UserFactory(), reason="Issued in error")


# --- openbadgeslib (PyPI) -----------------------------------------------------------------


def test_openbadgeslib_verifies_a_signed_badge_from_the_live_server(live_server, shared_badge):
    verified = openbadgeslib_verify(live_server, shared_badge)

    assert verified.issuer.id == shared_badge.signing_key.did
    assert verified.issuer.id.startswith("did:key:z6Mk")


def test_openbadgeslib_fails_a_revoked_badge(live_server, shared_badge):
    openbadgeslib_verify(live_server, shared_badge)
    revoke(shared_badge)

    with pytest.raises(OB3VerificationError, match="revocation"):
        openbadgeslib_verify(live_server, shared_badge)


def test_openbadgeslib_fails_a_badge_changed_after_signing(live_server, shared_badge):
    tampered = dict(shared_badge.document, name="Something else — pathway completed")
    IssuedBadge.objects.filter(pk=shared_badge.pk).update(signed_json=json.dumps(tampered))

    with pytest.raises(OB3VerificationError):
        openbadgeslib_verify(live_server, shared_badge)


# --- @digitalbazaar/vc (npm) ---------------------------------------------------------------


@pytest.mark.skipif(not JS_VERIFIER_READY, reason="node and `npm ci` are needed")
def test_digitalbazaar_vc_verifies_a_signed_badge_from_the_live_server(live_server, shared_badge):
    result = js_verify(live_server, shared_badge)

    assert result == {
        "verified": True,
        "errors": [],
        "proofVerified": True,
        "statusChecked": True,  # the status list was fetched and its own proof verified
    }


@pytest.mark.skipif(not JS_VERIFIER_READY, reason="node and `npm ci` are needed")
def test_digitalbazaar_vc_fails_a_revoked_badge(live_server, shared_badge):
    revoke(shared_badge)

    result = js_verify(live_server, shared_badge)

    assert result["verified"] is False
    assert result["proofVerified"] is True  # the signature is still good...
    assert any(error.startswith("revoked: bit") for error in result["errors"])  # ...but revoked


@pytest.mark.skipif(not JS_VERIFIER_READY, reason="node and `npm ci` are needed")
def test_digitalbazaar_vc_fails_a_badge_changed_after_signing(live_server, shared_badge):
    subject = dict(shared_badge.document["credentialSubject"])
    subject["achievement"] = dict(subject["achievement"], name="Something else")
    tampered = dict(shared_badge.document, credentialSubject=subject)
    IssuedBadge.objects.filter(pk=shared_badge.pk).update(signed_json=json.dumps(tampered))

    result = js_verify(live_server, shared_badge)

    assert result["verified"] is False
    assert result["proofVerified"] is False
