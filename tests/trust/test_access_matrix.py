"""Every URL pattern, requested as every kind of user, with ids of objects that belong
to someone else: the expected outcome of each pair is declared in ACCESS below, and a
URL with no entry fails, so no view ships without an access decision.

The subject of the world is `employee`: their pathway, step, evidence, enrolment and
team. Others: `other_employee` (a sibling team), `leader` (leads the employee's
department, has a Person), `sibling_leader` (leads the sibling team, no Person), an
L&D admin (no Person), and anonymous.

Outcomes: OK (< 400, not a bounce to the login page), LOGIN (a redirect to login),
DENY (401, 403 or 404). Never a 500. GET first; a POST-only view (405) is POSTed empty.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from metrics.models import ImportRun, XapiActivityMapping, XapiKey, XapiVerbMapping
from pathways.models import PathwayAssignment, StepProgress
from pathways.services import badges as badge_services
from responsibilities import services as responsibility_services
from responsibilities.models import ResponsibilityArea
from tests.factories import (
    EnrollmentFactory,
    LDAdminFactory,
    PersonFactory,
    TeamFactory,
    UserFactory,
)
from tests.pathways.factories import a_journey
from upskill.models import HrSyncRun, Notification, ScimConnection, TeamChatWebhook
from upskill.notifications import unsubscribe_token

pytestmark = pytest.mark.django_db

OK, LOGIN, DENY = "ok", "login", "deny"
ROLES = ("anonymous", "employee", "other_employee", "leader", "sibling_leader", "ld_admin")


def expect(**outcomes: str) -> dict[str, str]:
    missing = set(ROLES) - set(outcomes)
    assert not missing, f"declare every role: {missing}"
    return outcomes


PUBLIC = expect(**dict.fromkeys(ROLES, OK))
SIGNED_IN = expect(anonymous=LOGIN, **dict.fromkeys(ROLES[1:], OK))
ADMIN_ONLY = expect(
    anonymous=LOGIN,
    employee=DENY,
    other_employee=DENY,
    leader=DENY,
    sibling_leader=DENY,
    ld_admin=OK,
)
# Pages about "my own" records: anyone with a Person record, for themselves.
PEOPLE_ONLY = expect(
    anonymous=LOGIN,
    employee=OK,
    other_employee=OK,
    leader=OK,
    sibling_leader=DENY,
    ld_admin=DENY,
)
# The employee's own enrolment, step or credential, by its slug/key/id.
OWNER_ONLY = expect(
    anonymous=LOGIN,
    employee=OK,
    other_employee=DENY,
    leader=DENY,
    sibling_leader=DENY,
    ld_admin=DENY,
)
LEADERS_AND_ADMINS = expect(
    anonymous=LOGIN,
    employee=DENY,
    other_employee=DENY,
    leader=OK,
    sibling_leader=OK,
    ld_admin=OK,
)


@dataclass
class World:
    users: dict
    kwargs: dict  # url name -> kwargs


@pytest.fixture
def world(settings, tmp_path) -> World:
    journey = a_journey()
    employee = journey.learner
    department = TeamFactory(name="Customer Operations")
    employee.team.parent = department
    employee.team.save()
    leader = PersonFactory(team=department)
    department.leaders.add(leader.user)
    sibling_leader = UserFactory()
    sibling_team = TeamFactory(name="Sales", leaders=[sibling_leader])
    other_employee = PersonFactory(team=sibling_team)
    ld_admin = LDAdminFactory()

    submitted = StepProgress.objects.create(
        enrollment=journey.enrollment,
        step=journey.practise,
        status=StepProgress.Status.SUBMITTED,
        evidence="Drafted five replies with the assistant; a person approved each.",
        submitted_at=timezone.now(),
    )
    completed = EnrollmentFactory(person=employee, completed_at=timezone.now())
    badge = badge_services.badge_issue(enrollment=completed)
    badge_services.badge_sharing_set(badge=badge, person=employee, is_public=True)
    assignment = PathwayAssignment.objects.create(pathway=journey.pathway, team=employee.team)
    area = ResponsibilityArea.objects.first()
    commitment = responsibility_services.commitment_create(
        area=area, party="manager", title="Hours", target=4, unit="hours", period="week"
    )
    survey = responsibility_services.survey_open(
        title="Pulse", closes_at=timezone.now() + dt.timedelta(days=3)
    )
    pathway, stage, step = journey.pathway, journey.practice, journey.practise
    # A checked file with a bad row: its report, and its bad rows to download.
    settings.MEDIA_ROOT = tmp_path / "media"
    import_run = ImportRun(
        kind="activity",
        status=ImportRun.Status.VALIDATED,
        rows_total=1,
        rows_invalid=1,
        row_errors=[{"line": 2, "reason": "unknown person 'nobody@example.com'"}],
    )
    import_run.file.save(
        "activity.csv",
        ContentFile(b"person_email,occurred_at,minutes,kind,pathway,step,source_id\n"
                    b"nobody@example.com,2025-03-03,30,attended,,,\n"),
        save=False,
    )  # fmt: skip
    import_run.save()
    employee_notification = Notification.objects.create(
        recipient=employee.user, kind="overdue", key="world-overdue", subject="Overdue", url="/"
    )
    chat_webhook = TeamChatWebhook.objects.create(
        team_id=employee.team_id, service="slack", url="https://hooks.slack.com/services/T/B/x"
    )
    xapi_key = XapiKey.objects.create(name="LMS", prefix="upx_abc", key_hash="0" * 64)
    hr_sync_run = HrSyncRun.objects.create(status=HrSyncRun.Status.PLANNED)
    scim_connection = ScimConnection.objects.create(
        name="Okta", prefix="usc_abc", token_hash="1" * 64
    )
    verb_mapping = XapiVerbMapping.objects.create(verb_iri="https://v.example/x", kind="attended")
    activity_mapping = XapiActivityMapping.objects.create(
        activity_iri="https://lms.example/course/1", step=step
    )
    kwargs = {
        "pathways:editor": {"pk": pathway.pk},
        "pathways:edit": {"pk": pathway.pk},
        "pathways:duplicate": {"pk": pathway.pk},
        "pathways:publish": {"pk": pathway.pk},
        "pathways:archive": {"pk": pathway.pk},
        "pathways:preview": {"pk": pathway.pk},
        "pathways:assign": {"pk": pathway.pk},
        "pathways:assign_people": {"pk": pathway.pk},
        "pathways:stage_create": {"pk": pathway.pk},
        "pathways:stages_reorder": {"pk": pathway.pk},
        "pathways:stage_edit": {"pk": stage.pk},
        "pathways:stage_delete": {"pk": stage.pk},
        "pathways:step_create": {"pk": stage.pk},
        "pathways:steps_reorder": {"pk": stage.pk},
        "pathways:step_edit": {"pk": step.pk},
        "pathways:step_delete": {"pk": step.pk},
        "pathways:step_restore": {"pk": step.pk},
        "pathways:assignment_remove": {"pk": assignment.pk},
        "pathways:product_row": {"pk": step.product_id},
        "pathways:product_edit": {"pk": step.product_id},
        "pathways:product_archive": {"pk": step.product_id},
        "pathways:rubric_cell": {
            "role_pk": journey.rubric.job_role_id,
            "competency_pk": journey.rubric.competency_id,
        },
        "pathways:rubric_edit": {
            "role_pk": journey.rubric.job_role_id,
            "competency_pk": journey.rubric.competency_id,
        },
        "pathways:review": {"pk": submitted.pk},
        "pathways:badge": {"pk": completed.pk},
        "pathways:badge_mine": {"pk": completed.pk},
        "pathways:badge_sharing": {"pk": completed.pk},
        "pathways:badge_status_list": {"pk": badge.signing_key_id},
        "pathways:badge_public": {"public_id": badge.public_id},
        "pathways:badge_public_credential": {"public_id": badge.public_id},
        "pathways:achievement": {"slug": completed.pathway.slug},
        "pathways:achievement_image": {"slug": completed.pathway.slug},
        "pathways:badge_revoke": {"pk": badge.pk},
        "pathways:enrol": {"slug": pathway.slug},
        "pathways:confidence_rate": {"slug": pathway.slug},
        "pathways:step": {"slug": pathway.slug, "key": journey.learn.key},
        "pathways:step_start": {"slug": pathway.slug, "key": journey.learn.key},
        "pathways:step_done": {"slug": pathway.slug, "key": journey.learn.key},
        "pathways:evidence_submit": {"slug": pathway.slug, "key": step.key},
        "pathways:evidence_edit": {"slug": pathway.slug, "key": step.key},
        "pathways:evidence_withdraw": {"slug": pathway.slug, "key": step.key},
        "pathways:step_feedback": {"slug": pathway.slug, "key": journey.learn.key},
        "pathways:feedback_summary": {"slug": pathway.slug},
        "responsibilities:area_row": {"pk": area.pk},
        "responsibilities:area_raci_edit": {"pk": area.pk},
        "responsibilities:commitment_create": {"area_pk": area.pk},
        "responsibilities:commitment_edit": {"pk": commitment.pk},
        "responsibilities:commitment_set_active": {"pk": commitment.pk},
        "responsibilities:check_in_record": {"pk": commitment.pk, "team_pk": employee.team_id},
        "responsibilities:pulse_close": {"pk": survey.pk},
        "responsibilities:pulse_answer": {"pk": survey.pk},
        "responsibilities:pulse_results": {"pk": survey.pk},
        "organisation_run": {"pk": hr_sync_run.pk},
        "organisation_run_confirm": {"pk": hr_sync_run.pk},
        "organisation_run_cancel": {"pk": hr_sync_run.pk},
        "scim_connection_revoke": {"pk": scim_connection.pk},
        "metrics:import_run": {"pk": import_run.pk},
        "metrics:import_run_confirm": {"pk": import_run.pk},
        "metrics:import_run_cancel": {"pk": import_run.pk},
        "metrics:import_run_bad_rows": {"pk": import_run.pk},
        "metrics:xapi_key_revoke": {"pk": xapi_key.pk},
        "metrics:xapi_verb_mapping_delete": {"pk": verb_mapping.pk},
        "metrics:xapi_activity_mapping_delete": {"pk": activity_mapping.pk},
        "metrics:import_template": {"kind": "activity"},
        "metrics:import_sample": {"kind": "jira"},
        "scim:schema": {"pk": "urn:ietf:params:scim:schemas:core:2.0:User"},
        "scim:resource_type": {"pk": "User"},
        "scim:user": {"pk": employee.pk},
        "scim:group": {"pk": employee.team_id},
        "scim:not_found": {"rest": "Nothing"},
        "notifications:read": {"pk": employee_notification.pk},
        "notifications:chat_webhook_delete": {"pk": chat_webhook.pk},
        "notifications:unsubscribe": {
            "token": unsubscribe_token(user_id=employee.user_id, kinds=["overdue"])
        },
    }
    users = {
        "anonymous": None,
        "employee": employee.user,
        "other_employee": other_employee.user,
        "leader": leader.user,
        "sibling_leader": sibling_leader,
        "ld_admin": ld_admin,
    }
    return World(users=users, kwargs=kwargs)


BUILDER_URLS = (
    "list",
    "create",
    "editor",
    "edit",
    "duplicate",
    "publish",
    "archive",
    "preview",
    "assign",
    "assign_people",
    "stage_create",
    "stages_reorder",
    "stage_edit",
    "stage_delete",
    "step_create",
    "steps_reorder",
    "step_edit",
    "step_delete",
    "step_restore",
    "assignment_remove",
    "products",
    "product_row",
    "product_edit",
    "product_archive",
    "rubrics",
    "competency_create",
    "rubric_cell",
    "rubric_edit",
    "feedback_summary",
)


ACCESS: dict[str, dict[str, str]] = {
    "home": SIGNED_IN,
    "healthz": PUBLIC,
    "favicon": PUBLIC,
    "login": PUBLIC,
    "logout": PUBLIC,
    # Single sign-on: 404 for everyone while OIDC_ISSUER is unset (as here). Configured,
    # both are public by nature (the way in); tests/upskill/test_sign_in.py covers them
    # against a provider, and a start or callback without a sign-in in progress is a
    # refusal page, never a session.
    "oidc_sign_in": expect(**dict.fromkeys(ROLES, DENY)),
    "oidc_callback": expect(**dict.fromkeys(ROLES, DENY)),
    "audit": ADMIN_ONLY,
    # The Organisation area (HR sync in the browser, SCIM tokens): L&D admins only.
    "organisation": ADMIN_ONLY,
    "organisation_run": ADMIN_ONLY,
    "organisation_run_confirm": ADMIN_ONLY,
    "organisation_run_cancel": ADMIN_ONLY,
    "scim_connections": ADMIN_ONLY,
    "scim_connection_revoke": ADMIN_ONLY,
    # The pathway builder: L&D admins only.
    **{f"pathways:{name}": ADMIN_ONLY for name in BUILDER_URLS},
    # The learner's side.
    "pathways:my_learning": PEOPLE_ONLY,
    "pathways:recognition": PEOPLE_ONLY,
    # Only those who review someone (managers, and leaders with or without a Person
    # record) open the queue; it lists only what they may review.
    "pathways:review_queue": expect(
        anonymous=LOGIN,
        employee=DENY,
        other_employee=DENY,
        leader=OK,
        sibling_leader=OK,
        ld_admin=DENY,
    ),
    # The count beside "Reviews": a number only for reviewers (of what they may review),
    # nothing for anyone else.
    "pathways:review_count": SIGNED_IN,
    # The employee's submitted evidence: their leader reviews it; nobody else, not the
    # employee themselves, not an admin.
    "pathways:review": expect(
        anonymous=LOGIN,
        employee=DENY,
        other_employee=DENY,
        leader=OK,
        sibling_leader=DENY,
        ld_admin=DENY,
    ),
    "pathways:badge": OWNER_ONLY,
    # Verifiable badges: the owner's page and public switch; what a verifier fetches
    # without signing in (a badge its owner shared, the issuer, status lists,
    # achievements: see tests/pathways/test_badges.py for what a private one shows);
    # revocation by L&D admins.
    "pathways:badge_mine": OWNER_ONLY,
    "pathways:badge_sharing": OWNER_ONLY,
    "pathways:badge_issuer": PUBLIC,
    "pathways:badge_status_list": PUBLIC,
    "pathways:badge_public": PUBLIC,
    "pathways:badge_public_credential": PUBLIC,
    "pathways:achievement": PUBLIC,
    "pathways:achievement_image": PUBLIC,
    "pathways:badge_admin": ADMIN_ONLY,
    "pathways:badge_revoke": ADMIN_ONLY,
    "pathways:step": OWNER_ONLY,
    "pathways:step_start": OWNER_ONLY,
    "pathways:step_done": OWNER_ONLY,
    "pathways:evidence_submit": OWNER_ONLY,
    # Editing or withdrawing evidence still waiting for review: its author only (the
    # world's evidence is submitted, so the employee's empty POSTs reach the service).
    "pathways:evidence_edit": OWNER_ONLY,
    "pathways:evidence_withdraw": OWNER_ONLY,
    "pathways:step_feedback": OWNER_ONLY,
    "pathways:confidence_rate": OWNER_ONLY,
    # Self-enrolment: people only. Someone whose role the pathway does not target is
    # sent back to My learning with a message (and nothing is created: see
    # test_self_enrolment_outside_ones_role_creates_nothing).
    "pathways:enrol": PEOPLE_ONLY,
    # Shared responsibility.
    "responsibilities:matrix": SIGNED_IN,
    "responsibilities:matrix_print": SIGNED_IN,
    "responsibilities:area_row": SIGNED_IN,
    "responsibilities:pulse_list": SIGNED_IN,
    "responsibilities:pulse_nudge": SIGNED_IN,
    "responsibilities:pulse_results": SIGNED_IN,
    "responsibilities:area_create": ADMIN_ONLY,
    "responsibilities:area_raci_edit": ADMIN_ONLY,
    "responsibilities:commitment_create": ADMIN_ONLY,
    "responsibilities:commitment_edit": ADMIN_ONLY,
    "responsibilities:commitment_set_active": ADMIN_ONLY,
    "responsibilities:pulse_open": ADMIN_ONLY,
    "responsibilities:pulse_close": ADMIN_ONLY,
    "responsibilities:pulse_answer": PEOPLE_ONLY,
    # Fulfilment: anyone with a team to see (their own, or those they lead).
    "responsibilities:fulfilment": expect(
        anonymous=LOGIN,
        employee=OK,
        other_employee=OK,
        leader=OK,
        sibling_leader=OK,
        ld_admin=OK,
    ),
    # Recording a check-in for the employee's team: their leader and admins.
    "responsibilities:check_in_record": expect(
        anonymous=LOGIN,
        employee=DENY,
        other_employee=DENY,
        leader=OK,
        sibling_leader=DENY,
        ld_admin=OK,
    ),
    "responsibilities:standoff": LEADERS_AND_ADMINS,
    # Outcome metrics.
    "metrics:dashboard": LEADERS_AND_ADMINS,
    "metrics:dashboard_export": LEADERS_AND_ADMINS,
    # The impact planner (rollout order for an assignment wave): L&D admins only.
    "metrics:impact_planner": ADMIN_ONLY,
    # Imports and xAPI keys: L&D admins only (the polling partial included).
    "metrics:imports": ADMIN_ONLY,
    "metrics:import_run": ADMIN_ONLY,
    "metrics:import_run_confirm": ADMIN_ONLY,
    "metrics:import_run_cancel": ADMIN_ONLY,
    "metrics:import_run_bad_rows": ADMIN_ONLY,
    "metrics:xapi_keys": ADMIN_ONLY,
    "metrics:xapi_key_revoke": ADMIN_ONLY,
    "metrics:xapi_mapping": ADMIN_ONLY,
    "metrics:xapi_verb_mapping_delete": ADMIN_ONLY,
    "metrics:xapi_activity_mapping_delete": ADMIN_ONLY,
    "metrics:import_template": ADMIN_ONLY,
    # A sample tool export made from the organisation's people (names, emails).
    "metrics:import_sample": ADMIN_ONLY,
    # The identity map: who each tool login is (employee ids, logins).
    "metrics:identity_map": ADMIN_ONLY,
    # Notifications: everyone signed in has their own (the list shows only theirs; marking
    # another person's id read changes nothing: tests/upskill/test_notifications.py).
    "notifications:list": SIGNED_IN,
    "notifications:bell": SIGNED_IN,
    "notifications:read": SIGNED_IN,
    "notifications:read_all": SIGNED_IN,
    "notifications:preferences": SIGNED_IN,
    # Team chat webhooks: the L&D admins configure them (a webhook URL is a secret).
    "notifications:chat_webhooks": ADMIN_ONLY,
    "notifications:chat_webhook_delete": ADMIN_ONLY,
    # One-click unsubscribe needs no session: the signed token is the authority (a forged
    # one is refused with 400 and changes nothing). The world's token is valid.
    "notifications:unsubscribe": PUBLIC,
    # The xAPI endpoint ignores sessions: without an API key everyone gets 401.
    "metrics:xapi_statements": expect(**dict.fromkeys(ROLES, DENY)),
    # The LRS's versions: public, as xAPI clients ask before they authenticate.
    "metrics:xapi_about": PUBLIC,
    # SCIM answers only a bearer token: 401 for everyone with a session, admins included.
    **{
        f"scim:{name}": expect(**dict.fromkeys(ROLES, DENY))
        for name in (
            "service_provider_config",
            "schemas",
            "schema",
            "resource_types",
            "resource_type",
            "search",
            "users",
            "users_search",
            "user",
            "groups",
            "groups_search",
            "group",
            "not_found",
        )
    },
}


def url_names() -> list[str]:
    names = []

    def walk(resolver, namespace=None):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue  # Django's own, staff-only by design
                walk(pattern, pattern.namespace or namespace)
            elif pattern.name:
                names.append(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver())
    return names


def test_every_url_has_a_declared_access_decision():
    undeclared = sorted(set(url_names()) - set(ACCESS))
    assert not undeclared, f"declare who may use these URLs in ACCESS: {undeclared}"
    stale = sorted(set(ACCESS) - set(url_names()))
    assert not stale, f"ACCESS names URLs that no longer exist: {stale}"


def _outcome(response) -> str:
    assert response.status_code < 500, f"{response.status_code} server error"
    location = response.headers.get("Location", "")
    if response.status_code in (301, 302) and "/login/" in location and "next=" in location:
        return LOGIN
    if response.status_code in (401, 403, 404):
        return DENY
    assert response.status_code < 400 or response.status_code == 405, response.status_code
    return OK


def _request_as(client, user, url, headers=None):
    """GET the URL as `user` (None: anonymous); a POST-only view (405) is POSTed empty."""
    client.logout()
    if user is not None:
        client.force_login(user)
    response = client.get(url, headers=headers)
    if response.status_code == 405:
        response = client.post(url, {}, headers=headers)
    return response


@pytest.mark.parametrize("name", sorted(ACCESS))
def test_url_gives_each_role_exactly_its_declared_outcome(client, world, name):
    expected = ACCESS[name]
    url = reverse(name, kwargs=world.kwargs.get(name, {}))
    # Denied roles first: what they try must change nothing the allowed roles then see.
    for role in sorted(ROLES, key=lambda r: expected[r] == OK):
        response = _request_as(client, world.users[role], url)
        assert _outcome(response) == expected[role], (
            f"{name} as {role}: got {response.status_code} "
            f"{response.headers.get('Location', '')}, expected {expected[role]}"
        )


def test_htmx_requests_are_refused_the_same_way(client, world):
    """A client can ask for a partial directly; the permission check is in the view."""
    for name, expected in ACCESS.items():
        if expected is not ADMIN_ONLY:
            continue
        url = reverse(name, kwargs=world.kwargs.get(name, {}))
        response = _request_as(client, world.users["employee"], url, {"HX-Request": "true"})
        assert response.status_code == 403, name


def test_self_enrolment_outside_ones_role_creates_nothing(client, world):
    from pathways.models import Enrollment

    before = Enrollment.objects.count()
    client.force_login(world.users["other_employee"])
    response = client.post(reverse("pathways:enrol", kwargs=world.kwargs["pathways:enrol"]))
    assert response.status_code == 302
    assert Enrollment.objects.count() == before
