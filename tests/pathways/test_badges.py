"""Verifiable Open Badges 3.0: the signed credential and its schema, the issuer that
does not follow the Host header, the owner's page and public switch, the public pages
(and what they keep quiet about), revocation, signing keys and their rotation.

The proofs are checked by two independent verifiers in test_badges_verifiers.py; here
`data_integrity.proof_verify` is our own check, used where the question is which key
signed what."""

from __future__ import annotations

import base64
import gzip
import json
import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from jsonschema import Draft201909Validator

from pathways.models import BadgeSigningKey, BadgeStatusList, IssuedBadge
from pathways.services import badges as services
from pathways.services import data_integrity, learning
from tests.factories import (
    EnrollmentFactory,
    LDAdminFactory,
    PersonFactory,
    StageFactory,
    UserFactory,
)
from tests.pathways.factories import a_journey, submitted, submitted_as_last_step
from tests.upskill.test_settings import error_message
from tests.upskill.test_settings import run as run_process

pytestmark = pytest.mark.django_db

SITE = "https://learning.example.com"
SCHEMA = json.loads(
    (Path(__file__).parent / "data" / "ob_v3p0_achievementcredential_schema.json").read_text()
)


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE
    settings.BADGE_SIGNING_KEY = ""
    settings.BADGE_RETIRED_SIGNING_KEYS = []


def completed_enrolment(**kwargs):
    enrollment = EnrollmentFactory(completed_at=timezone.now(), **kwargs)
    StageFactory(pathway=enrollment.pathway, title="Foundations")
    return enrollment


def shared_badge(**kwargs) -> IssuedBadge:
    enrollment = completed_enrolment(**kwargs)
    badge = services.badge_issue(enrollment=enrollment)
    return services.badge_sharing_set(badge=badge, person=enrollment.person, is_public=True)


def revoked_indexes(status_list: BadgeStatusList) -> set[int]:
    encoded = status_list.document["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")
    data = encoded[1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
    return {i for i in range(len(bits) * 8) if bits[i // 8] & (0x80 >> (i % 8))}


# --- The credential -----------------------------------------------------------------------


def test_the_badge_is_a_signed_open_badges_3_credential_with_every_required_field(client):
    # Moved from test_learning_recognition_and_badges.py; what changed with signing:
    # the id is the public verification page on SITE_URL (was the download URL on the
    # request's host), the issuer is a did:key (was the request's host), a proof and a
    # credentialStatus are present (was "no proof").
    enrollment = completed_enrolment(
        pathway__title="Support with AI", pathway__summary="Answer tickets faster with AI."
    )
    client.force_login(enrollment.person.user)

    response = client.get(f"/learning/badges/{enrollment.pk}/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    assert "attachment" in response["Content-Disposition"]
    badge = json.loads(response.content)
    issued = IssuedBadge.objects.get(enrollment=enrollment)
    assert badge == issued.document  # exactly what was signed
    assert badge["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert badge["id"] == f"{SITE}/badges/{issued.public_id}/"
    assert badge["issuer"] == {
        "id": issued.signing_key.did,
        "type": ["Profile"],
        "name": "Upskill",
        "url": f"{SITE}/badges/issuer",
    }
    assert badge["issuer"]["id"].startswith("did:key:z6Mk")
    assert badge["name"] == "Support with AI — pathway completed"
    assert badge["validFrom"].endswith("Z")
    assert badge["validFrom"][:4].isdigit()
    subject = badge["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    identity = subject["identifier"][0]
    assert identity["type"] == "IdentityObject"
    assert identity["hashed"] is True
    assert identity["identityHash"].startswith("sha256$")
    assert enrollment.person.email not in response.content.decode()
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["id"] == f"{SITE}/achievements/{enrollment.pathway.slug}"
    assert achievement["image"] == {
        "id": f"{SITE}/achievements/{enrollment.pathway.slug}/badge.svg",
        "type": "Image",
        "caption": "The “Support with AI” badge",
    }
    assert achievement["name"] == "Support with AI"
    assert achievement["description"] == "Answer tickets faster with AI."
    assert "Foundations" in achievement["criteria"]["narrative"]
    assert badge["credentialStatus"] == {
        "id": f"{SITE}/badges/status/{issued.signing_key_id}#{issued.status_index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(issued.status_index),
        "statusListCredential": f"{SITE}/badges/status/{issued.signing_key_id}",
    }
    [proof] = badge["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["verificationMethod"] == issued.signing_key.verification_method
    assert proof["proofValue"].startswith("z")
    data_integrity.proof_verify(badge, public_key_multibase=issued.signing_key.public_key_multibase)


def test_the_signed_badge_validates_against_1edtechs_achievement_credential_schema(client):
    enrollment = completed_enrolment(pathway__summary="")
    client.force_login(enrollment.person.user)

    badge = json.loads(client.get(f"/learning/badges/{enrollment.pk}/").content)

    validator = Draft201909Validator(SCHEMA, format_checker=Draft201909Validator.FORMAT_CHECKER)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(badge)]
    assert errors == []
    # ...and the schema does catch a broken credential, so the check means something.
    broken = dict(badge, type=["VerifiableCredential"])
    assert list(validator.iter_errors(broken))


def test_the_issuer_and_every_id_ignore_the_requests_host(client, settings):
    settings.ALLOWED_HOSTS = ["*"]
    enrollment = completed_enrolment()
    client.force_login(enrollment.person.user)
    url = f"/learning/badges/{enrollment.pk}/"

    first = client.get(url, HTTP_HOST="evil.example").content
    second = client.get(url, HTTP_HOST="upskill.internal").content

    assert first == second
    assert b"evil.example" not in first
    assert b"upskill.internal" not in first
    assert json.loads(first)["issuer"]["id"].startswith("did:key:")


def test_a_badge_is_issued_once_and_then_served_as_issued(client):
    enrollment = completed_enrolment()
    client.force_login(enrollment.person.user)

    first = client.get(f"/learning/badges/{enrollment.pk}/").content
    second = client.get(f"/learning/badges/{enrollment.pk}/").content
    client.get(f"/learning/badges/{enrollment.pk}/page/")

    assert first == second
    assert IssuedBadge.objects.count() == 1


def test_completing_the_last_step_issues_the_badge_there_and_then(client):
    journey = a_journey()
    progress = submitted(journey)
    learning.evidence_approve(progress=progress, reviewer=journey.manager, rubric_level=3)
    assert not IssuedBadge.objects.exists()  # three of four steps done: no badge yet

    learning.step_mark_done(enrollment=journey.enrollment, step=journey.share)

    journey.enrollment.refresh_from_db()
    badge = IssuedBadge.objects.get(enrollment=journey.enrollment)
    assert badge.document["validFrom"] == journey.enrollment.completed_at.strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    data_integrity.proof_verify(
        badge.document, public_key_multibase=badge.signing_key.public_key_multibase
    )
    # Opening it later serves the badge issued at completion, not a second one.
    client.force_login(journey.learner.user)
    assert json.loads(client.get(f"/learning/badges/{journey.enrollment.pk}/").content) == (
        badge.document
    )
    assert IssuedBadge.objects.count() == 1


def test_approving_the_last_evidence_issues_the_badge():
    journey = a_journey()
    progress = submitted_as_last_step(journey)

    learning.evidence_approve(progress=progress, reviewer=journey.manager, rubric_level=3)

    assert IssuedBadge.objects.filter(enrollment=journey.enrollment).exists()


def test_a_completion_whose_badge_cannot_be_signed_is_not_recorded(settings):
    # Only a bad environment key makes signing fail, and it stops the start (above);
    # set one behind the app's back to see the completion and its badge share a fate.
    journey = a_journey()
    progress = submitted_as_last_step(journey)
    settings.BADGE_SIGNING_KEY = A_PUBLIC_KEY

    with pytest.raises(ImproperlyConfigured, match="BADGE_SIGNING_KEY"):
        learning.evidence_approve(progress=progress, reviewer=journey.manager, rubric_level=3)

    journey.enrollment.refresh_from_db()
    progress.refresh_from_db()
    assert journey.enrollment.completed_at is None
    assert progress.status == "submitted"
    assert not IssuedBadge.objects.exists()


def test_an_unfinished_enrolment_gets_no_badge():
    with pytest.raises(ValidationError, match="once every step"):
        services.badge_issue(enrollment=EnrollmentFactory())
    assert not IssuedBadge.objects.exists()


def test_only_the_owner_of_a_completed_enrolment_can_download_its_badge(client):
    # Moved unchanged from test_learning_recognition_and_badges.py.
    enrollment = completed_enrolment()
    unfinished = EnrollmentFactory(person=enrollment.person)
    url = f"/learning/badges/{enrollment.pk}/"

    client.force_login(PersonFactory(team=enrollment.person.team).user)
    assert client.get(url).status_code == 404
    client.force_login(enrollment.person.user)
    assert client.get(f"/learning/badges/{unfinished.pk}/").status_code == 404
    assert client.get("/learning/badges/999999/").status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to sign in


def test_a_completed_pathways_badge_is_listed_and_says_it_is_signed(client):
    # Moved from test_learning_recognition_and_badges.py, where it said "unsigned".
    enrollment = completed_enrolment(pathway__title="Support with AI")
    client.force_login(enrollment.person.user)

    html = client.get("/learning/recognition/").content.decode()

    assert "Support with AI" in html
    assert f'href="/learning/badges/{enrollment.pk}/"' in html
    assert f'href="/learning/badges/{enrollment.pk}/page/"' in html
    assert "<strong>signed</strong>" in html
    assert "unsigned" not in html


# --- The owner's page and the public switch -----------------------------------------------


def test_the_owner_switches_the_verification_page_on_and_off(client):
    enrollment = completed_enrolment(
        pathway__title="Support with AI",
        person__user__first_name="Sam",
        person__user__last_name="Rivera",
    )
    client.force_login(enrollment.person.user)
    page = client.get(f"/learning/badges/{enrollment.pk}/page/").content.decode()
    badge = IssuedBadge.objects.get()
    public_url = f"/badges/{badge.public_id}/"
    assert "Off: nobody can see" in page
    assert client.get(public_url).status_code == 404

    response = client.post(
        f"/learning/badges/{enrollment.pk}/sharing/", {"is_public": "True"}, follow=True
    )
    assert "verification page is public" in response.content.decode()
    assert f"{SITE}{public_url}" in response.content.decode()
    client.logout()
    public = client.get(public_url).content.decode()
    assert "Awarded to Sam Rivera" in public
    assert "Not revoked" in public
    assert client.get(f"{public_url}credential.json").json() == badge.document

    client.force_login(enrollment.person.user)
    client.post(f"/learning/badges/{enrollment.pk}/sharing/", {"is_public": "False"})
    client.logout()
    assert client.get(public_url).status_code == 404
    assert client.get(f"{public_url}credential.json").status_code == 404


def test_a_private_badges_public_urls_say_no_more_than_an_unknown_ones(client):
    enrollment = completed_enrolment(
        pathway__title="Secret pathway", person__user__first_name="Zed"
    )
    badge = services.badge_issue(enrollment=enrollment)

    private = client.get(f"/badges/{badge.public_id}/")
    unknown = client.get("/badges/notarealid000000000000/")
    private_json = client.get(f"/badges/{badge.public_id}/credential.json")

    assert private.status_code == unknown.status_code == private_json.status_code == 404

    def page(response, public_id: str) -> str:
        html = response.content.decode().replace(public_id, "")
        return re.sub(r'"X-CSRFToken": "[^"]*"', "", html)  # a fresh token per response

    assert page(private, badge.public_id) == page(unknown, "notarealid000000000000")
    for response in (private, private_json):
        assert b"Secret pathway" not in response.content
        assert b"Zed" not in response.content


def test_another_person_cannot_switch_someones_badge_on(client):
    enrollment = completed_enrolment()
    services.badge_issue(enrollment=enrollment)
    client.force_login(PersonFactory(team=enrollment.person.team).user)

    response = client.post(f"/learning/badges/{enrollment.pk}/sharing/", {"is_public": "True"})

    assert response.status_code == 404
    assert IssuedBadge.objects.get().is_public is False


# --- What a verifier fetches --------------------------------------------------------------


def test_the_issuer_profile_names_the_current_and_retired_dids(client):
    old = services.badge_issue(enrollment=completed_enrolment()).signing_key
    new = services.signing_key_rotate()

    profile = client.get("/badges/issuer").json()

    assert profile["id"] == new.did
    assert profile["type"] == ["Profile"]
    assert profile["otherIdentifier"] == [
        {"type": "IdentifierEntry", "identifier": old.did, "identifierType": "identifier"}
    ]


def test_the_status_list_is_a_signed_bitstring_status_list_credential(client):
    badge = shared_badge()

    document = client.get(f"/badges/status/{badge.signing_key_id}").json()

    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert document["issuer"] == badge.signing_key.did
    assert document["credentialSubject"]["statusPurpose"] == "revocation"
    assert revoked_indexes(BadgeStatusList.objects.get()) == set()
    data_integrity.proof_verify(
        document, public_key_multibase=badge.signing_key.public_key_multibase
    )
    assert client.get("/badges/status/999999").status_code == 404


def test_the_achievement_page_and_image_are_public_for_a_published_pathway(client):
    enrollment = completed_enrolment(pathway__title="Support <b>with</b> AI")

    page = client.get(f"/achievements/{enrollment.pathway.slug}")
    image = client.get(f"/achievements/{enrollment.pathway.slug}/badge.svg")

    assert page.status_code == 200
    assert "How it is earned" in page.content.decode()
    assert image["Content-Type"].startswith("image/svg+xml")
    svg = image.content.decode()
    assert svg.startswith("<svg")
    assert "Support &lt;b&gt;with&lt;/b&gt; AI" in svg  # escaped, not markup
    assert "<script" not in svg


def test_a_draft_pathway_has_no_public_achievement(client):
    enrollment = completed_enrolment(pathway__status="draft", pathway__title="Unannounced")

    for url in (
        f"/achievements/{enrollment.pathway.slug}",
        f"/achievements/{enrollment.pathway.slug}/badge.svg",
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert b"Unannounced" not in response.content


# --- Revocation ---------------------------------------------------------------------------


def test_an_ld_admin_revokes_a_badge_and_the_status_list_is_signed_again(client):
    badge = shared_badge(pathway__title="Support with AI")
    before = BadgeStatusList.objects.get().document
    client.force_login(LDAdminFactory())

    response = client.post(
        f"/pathways/badges/{badge.pk}/revoke/", {"reason": "Issued in error"}, follow=True
    )

    assert "Revoked the “Support with AI” badge" in response.content.decode()
    badge.refresh_from_db()
    assert badge.revoked_at is not None
    assert badge.revocation_reason == "Issued in error"
    status_list = BadgeStatusList.objects.get()
    assert revoked_indexes(status_list) == {badge.status_index}
    assert status_list.document["proof"] != before["proof"]
    data_integrity.proof_verify(
        status_list.document, public_key_multibase=badge.signing_key.public_key_multibase
    )
    client.logout()
    assert "Revoked" in client.get(f"/badges/{badge.public_id}/").content.decode()


@pytest.mark.parametrize(
    ("reason", "message"), [("", "Say why"), ("x" * 301, "at most 300 characters")]
)
def test_a_revocation_without_a_good_reason_changes_nothing(client, reason, message):
    badge = shared_badge()
    before = BadgeStatusList.objects.get().document
    client.force_login(LDAdminFactory())

    response = client.post(f"/pathways/badges/{badge.pk}/revoke/", {"reason": reason}, follow=True)

    assert message in response.content.decode()
    badge.refresh_from_db()
    assert badge.revoked_at is None
    assert BadgeStatusList.objects.get().document == before


def test_a_badge_is_revoked_only_once(client):
    badge = shared_badge()
    admin = LDAdminFactory()
    services.badge_revoke(badge=badge, by=admin, reason="First")
    client.force_login(admin)

    response = client.post(f"/pathways/badges/{badge.pk}/revoke/", {"reason": "Again"}, follow=True)

    assert "already revoked" in response.content.decode()
    badge.refresh_from_db()
    assert badge.revocation_reason == "First"


# --- Keys ---------------------------------------------------------------------------------


def test_a_key_from_the_environment_signs_and_is_never_stored(settings):
    key = data_integrity.private_key_generate()
    settings.BADGE_SIGNING_KEY = data_integrity.private_key_multibase(key)

    badge = services.badge_issue(enrollment=completed_enrolment())

    public = data_integrity.public_key_multibase(key)
    assert badge.signing_key.public_key_multibase == public
    assert badge.signing_key.private_key_multibase == ""
    data_integrity.proof_verify(badge.document, public_key_multibase=public)


def test_a_base64_seed_in_the_environment_is_the_same_key(settings):
    key = data_integrity.private_key_generate()
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    seed = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    settings.BADGE_SIGNING_KEY = base64.b64encode(seed).decode()

    assert services.signing_key_current().public_key_multibase == (
        data_integrity.public_key_multibase(key)
    )


def test_a_base64_seed_that_starts_with_z_is_read_as_a_seed():
    # Found by the random seed above failing once in 64 runs: 0xCF encodes as "z…".
    seed = bytes([0xCF]) + bytes(range(31))
    for text in (base64.b64encode(seed).decode(), base64.urlsafe_b64encode(seed).decode()[:-1]):
        assert text.startswith("z")
        key = data_integrity.private_key_from_text(text)
        assert data_integrity.private_key_multibase(key) == data_integrity.private_key_multibase(
            data_integrity.Ed25519PrivateKey.from_private_bytes(seed)
        )


@pytest.mark.parametrize("text", ["not a key", "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"])
def test_an_unusable_key_is_refused_with_a_clear_message(text):
    with pytest.raises(data_integrity.ProofError):
        data_integrity.private_key_from_text(text)


def test_multikeys_round_trip_and_each_half_refuses_the_other():
    key = data_integrity.private_key_generate()
    private, public = (
        data_integrity.private_key_multibase(key),
        data_integrity.public_key_multibase(key),
    )
    assert private.startswith("z3u2")
    assert public.startswith("z6Mk")
    assert data_integrity.public_key_multibase(data_integrity.private_key_from_text(private)) == (
        public
    )
    assert data_integrity.public_key_multibase(
        data_integrity.public_key_from_multibase(public)
    ) == (public)

    with pytest.raises(data_integrity.ProofError, match=r"private Multikey \(z3u2…\)"):
        data_integrity.private_key_from_text(public)
    with pytest.raises(data_integrity.ProofError, match=r"public Multikey \(z6Mk…\)"):
        data_integrity.public_key_from_multibase(private)
    with pytest.raises(data_integrity.ProofError, match="not valid base58btc"):
        data_integrity.public_key_from_multibase("z6Mk0OIl")
    with pytest.raises(data_integrity.ProofError, match="starts with z"):
        data_integrity.public_key_from_multibase(public[1:])


# A malformed key stops the start, naming the variable and never the value: each case
# starts a fresh process, since settings and AppConfig.ready() run once per process.
A_GOOD_KEY = data_integrity.private_key_multibase(data_integrity.private_key_generate())
A_PUBLIC_KEY = "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
A_SHORT_SEED = base64.b64encode(b"sixteen byte key").decode()


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            {"BADGE_SIGNING_KEY": A_PUBLIC_KEY},
            "Environment variable BADGE_SIGNING_KEY is malformed: "
            "The key is not an Ed25519 private Multikey (z3u2…).",
        ),
        (
            {"BADGE_SIGNING_KEY": "z3u2" + "0OIl" * 10},  # 0, O, I and l are not base58
            "Environment variable BADGE_SIGNING_KEY is malformed: The key is not valid base58btc.",
        ),
        (
            {"BADGE_SIGNING_KEY": A_SHORT_SEED},
            "Environment variable BADGE_SIGNING_KEY is malformed: "
            "An Ed25519 seed is 32 bytes; this one is 16.",
        ),
        (
            {"BADGE_SIGNING_KEY": A_GOOD_KEY, "BADGE_RETIRED_SIGNING_KEYS": f"{A_GOOD_KEY},x"},
            "Environment variable BADGE_RETIRED_SIGNING_KEYS (entry 2) is malformed: "
            "The key is neither a Multikey nor base64.",
        ),
    ],
    ids=["public-multikey", "bad-base58", "short-base64-seed", "bad-retired-entry"],
)
def test_a_malformed_signing_key_stops_the_start_naming_the_variable(variables, message):
    done = run_process("manage.py", "check", **variables)

    assert done.returncode != 0
    assert error_message(done.stderr) == message
    for value in variables.values():
        assert value not in done.stderr  # a key is a secret: the message never echoes it


def test_a_malformed_signing_key_stops_the_web_process_too():
    # gunicorn imports upskill.wsgi and runs no system checks: AppConfig.ready() does.
    done = run_process(
        "-c",
        "import upskill.wsgi",
        DJANGO_SETTINGS_MODULE="upskill.settings",
        BADGE_SIGNING_KEY=A_PUBLIC_KEY,
    )

    assert done.returncode != 0
    assert error_message(done.stderr).startswith(
        "Environment variable BADGE_SIGNING_KEY is malformed"
    )


def test_well_formed_signing_keys_pass_the_start():
    done = run_process(
        "manage.py",
        "check",
        BADGE_SIGNING_KEY=base64.b64encode(bytes(range(32))).decode(),  # a 32-byte seed
        BADGE_RETIRED_SIGNING_KEYS=A_GOOD_KEY,
    )

    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout


def test_after_rotation_old_badges_still_verify_and_can_still_be_revoked(settings):
    old_badge = shared_badge()
    old_key = old_badge.signing_key

    call_command("badge_key_rotate")
    new_badge = services.badge_issue(enrollment=completed_enrolment())

    assert new_badge.signing_key != old_key
    assert BadgeSigningKey.objects.get(pk=old_key.pk).retired_at is not None
    data_integrity.proof_verify(
        old_badge.document, public_key_multibase=old_key.public_key_multibase
    )
    services.badge_revoke(badge=old_badge, by=LDAdminFactory(), reason="Issued in error")
    old_list = BadgeStatusList.objects.get(signing_key=old_key)
    assert revoked_indexes(old_list) == {old_badge.status_index}
    assert old_list.document["issuer"] == old_key.did  # signed by the retired key
    data_integrity.proof_verify(
        old_list.document, public_key_multibase=old_key.public_key_multibase
    )
    assert revoked_indexes(BadgeStatusList.objects.get(signing_key=new_badge.signing_key)) == set()


def test_rotating_an_environment_key_is_done_in_the_environment(settings):
    settings.BADGE_SIGNING_KEY = data_integrity.private_key_multibase(
        data_integrity.private_key_generate()
    )
    old = services.badge_issue(enrollment=completed_enrolment())
    old_too = services.badge_issue(enrollment=completed_enrolment())

    with pytest.raises(ValidationError, match="BADGE_RETIRED_SIGNING_KEYS"):
        services.signing_key_rotate()
    # The documented way: the old value moves to the retired list, a new one is set.
    settings.BADGE_RETIRED_SIGNING_KEYS = [settings.BADGE_SIGNING_KEY]
    settings.BADGE_SIGNING_KEY = data_integrity.private_key_multibase(
        data_integrity.private_key_generate()
    )
    new = services.badge_issue(enrollment=completed_enrolment())
    assert new.signing_key != old.signing_key
    services.badge_revoke(badge=old, by=LDAdminFactory(), reason="Issued in error")
    # Without the old key configured, its badges cannot be revoked, and it says why.
    settings.BADGE_RETIRED_SIGNING_KEYS = []
    with pytest.raises(ValidationError, match="is not configured"):
        services.badge_revoke(badge=old_too, by=LDAdminFactory(), reason="Issued in error")
    old_too.refresh_from_db()
    assert old_too.revoked_at is None


# --- The Django admin ----------------------------------------------------------------------


def test_the_django_admin_shows_badges_read_only_and_never_the_private_key(client):
    badge = shared_badge()
    key = badge.signing_key
    assert key.private_key_multibase  # generated, so kept in the database
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    pages = {
        "keys": reverse("admin:pathways_badgesigningkey_changelist"),
        "key": reverse("admin:pathways_badgesigningkey_change", args=[key.pk]),
        "lists": reverse("admin:pathways_badgestatuslist_changelist"),
        "list": reverse("admin:pathways_badgestatuslist_change", args=[key.status_list.pk]),
        "badges": reverse("admin:pathways_issuedbadge_changelist"),
        "badge": reverse("admin:pathways_issuedbadge_change", args=[badge.pk]),
    }

    for name, url in pages.items():
        html = client.get(url).content.decode()
        assert key.private_key_multibase not in html, name
        assert key.private_key_multibase[1:9] not in html, name  # not even a prefix of it
    assert key.public_key_multibase in client.get(pages["key"]).content.decode()
    assert "in the database" in client.get(pages["keys"]).content.decode()

    # Nothing can be added, changed or deleted here: those writes sign, or break a proof.
    before = IssuedBadge.objects.get(pk=badge.pk).signed_json
    assert client.post(pages["badge"], {"is_public": ""}).status_code == 403
    assert client.get(reverse("admin:pathways_issuedbadge_add")).status_code == 403
    assert client.get(reverse("admin:pathways_badgesigningkey_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:pathways_badgesigningkey_delete", args=[key.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert IssuedBadge.objects.get(pk=badge.pk).signed_json == before
    assert BadgeSigningKey.objects.filter(pk=key.pk).exists()


# --- Queries ------------------------------------------------------------------------------


def test_badge_pages_run_a_fixed_number_of_queries(client, django_assert_num_queries):
    badge = shared_badge()
    owner = badge.enrollment.person.user
    slug = badge.enrollment.pathway.slug

    def measure():
        client.force_login(owner)
        # 1 session + 1 user + 1 Person + 1 the enrolment with its pathway, issued badge
        # and signing key + 2 navigation (groups, led teams) = 6.
        with django_assert_num_queries(6):
            assert client.get(f"/learning/badges/{badge.enrollment_id}/page/").status_code == 200
        # The same without the navigation: 4.
        with django_assert_num_queries(4):
            assert client.get(f"/learning/badges/{badge.enrollment_id}/").status_code == 200
        client.logout()
        # Public pages: 1 the badge with pathway and person's user.
        with django_assert_num_queries(1):
            assert client.get(f"/badges/{badge.public_id}/").status_code == 200
        with django_assert_num_queries(1):
            assert client.get(f"/badges/{badge.public_id}/credential.json").status_code == 200
        # 1 the signing keys.
        with django_assert_num_queries(1):
            assert client.get("/badges/issuer").status_code == 200
        # 1 the status list.
        with django_assert_num_queries(1):
            assert client.get(f"/badges/status/{badge.signing_key_id}").status_code == 200
        # 1 the pathway.
        with django_assert_num_queries(1):
            assert client.get(f"/achievements/{slug}").status_code == 200
        with django_assert_num_queries(1):
            assert client.get(f"/achievements/{slug}/badge.svg").status_code == 200

    measure()
    for _ in range(3):
        shared_badge()
        StageFactory(pathway=badge.enrollment.pathway)
        services.signing_key_rotate()
    measure()


def test_the_revocation_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    admin = LDAdminFactory()
    shared_badge()
    client.force_login(admin)
    # 1 session + 1 user + 1 groups (the access check) + 1 Person (navigation) + 1 count
    # (the paginator) + 1 the page of badges with enrolment, pathway, person's user and
    # who revoked = 6.
    with django_assert_num_queries(6):
        assert client.get("/pathways/badges/").status_code == 200
    for _ in range(4):
        services.badge_revoke(badge=shared_badge(), by=admin, reason="Issued in error")
    with django_assert_num_queries(6):
        response = client.get("/pathways/badges/")
    assert response.content.decode().count("Issued in error") == 4


def test_the_revocation_page_shows_fifty_badges_a_page_in_constant_queries(
    client, django_assert_num_queries
):
    admin = LDAdminFactory()
    client.force_login(admin)
    for _ in range(55):
        services.badge_issue(enrollment=completed_enrolment())
    newest = IssuedBadge.objects.order_by("-issued_at", "-pk")
    revoke = 'class="button small danger">Revoke</button>'

    # Counted as in the test above: 6, on either page, with 1 badge or 55.
    with django_assert_num_queries(6):
        first = client.get("/pathways/badges/").content.decode()
    with django_assert_num_queries(6):
        second = client.get("/pathways/badges/?page=2").content.decode()

    def revoke_url(badge):
        return f'action="/pathways/badges/{badge.pk}/revoke/"'

    assert first.count(revoke) == 50
    assert revoke_url(newest[0]) in first
    assert revoke_url(newest[49]) in first
    assert revoke_url(newest[50]) not in first
    assert "Page 1 of 2 (55 badges)" in first
    assert 'href="?page=2"' in first
    assert second.count(revoke) == 5
    assert revoke_url(newest[50]) in second
    assert revoke_url(newest[54]) in second
    # A malformed or out-of-range page is the nearest page, never an error.
    assert client.get("/pathways/badges/?page=x").content.decode().count(revoke) == 50
    assert client.get("/pathways/badges/?page=99").content.decode().count(revoke) == 5

    # Revoking from page 2 comes back to page 2.
    response = client.post(
        f"/pathways/badges/{newest[54].pk}/revoke/", {"reason": "Issued in error", "page": "2"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/pathways/badges/?page=2"
    assert IssuedBadge.objects.get(pk=newest[54].pk).is_revoked
