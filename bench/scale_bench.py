"""Every page at two sizes of organisation on PostgreSQL: the query count of each page
for each kind of user at 5,000 and at 50,000 people, with its median and p95 server
time, and the pages whose count differs between the sizes or that are slow at the
large one. Prints ONE JSON object.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/upskill_scale \\
        .venv/bin/python bench/scale_bench.py [--small 5000] [--large 50000] \\
        [--large-database-url URL] [--samples 20] [--slow-ms 300] [--only small|large]

Two databases: DATABASE_URL holds the small organisation and, unless
--large-database-url names another, the same name with `_big` appended the large one.
Each is created, migrated and seeded (`seed_demo --people N`) once and reused after; a
few objects the seed has no reason to make (an HR sync plan, an import run, API keys,
a team chat webhook, a notification, a badge) are added once, found by name on a
later run, so both databases hold the same of them.

The pages are every URL name the URLconf serves (the Django admin apart), built with
ids of the demo's objects like tests/trust/test_access_matrix.py, plus the filters a
list page takes (a people search, a team, an audit kind). Each is requested with the
Django test Client (DEBUG off) as each kind of user: the demo employee, their manager,
the demo leader (a department), the leader with the most people below them (a region
at 50,000 people, a department at 5,000), the L&D admin, and the SCIM and xAPI clients
with their bearer credentials. A page a user may not open is counted (its refusal must
not grow either) but not timed; a POST-only URL (405 to a GET) is listed, not measured.

Each size is measured in a fresh process (as a web worker is), after a CHECKPOINT: one
warm-up request, one counted, then --samples timed. Progress goes to stderr; stdout
holds only the JSON: the machine and load average, the data at each size, every
page's figures, `queries_differ` (pages whose count or status differs between the
sizes) and `slow_at_large` (p95 over --slow-ms at the large size).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent))

from metrics_bench import (  # noqa: E402  (the bench's own helpers, beside this file)
    database_create_if_missing,
    database_url_or_exit,
    log,
    machine,
)

SLOW_MS = 300.0
SAMPLES = 20
BENCH_NAME = "scale-bench"  # the objects this bench adds are found by this name
SCIM_TOKEN = "ups_scale-bench-token-not-a-secret"
XAPI_KEY = "upx_scale-bench-key-not-a-secret"
# URLs whose response is an htmx fragment only (a full request is redirected).
HTMX_ONLY = {"pathways:assign_people"}
# Downloads: their size is the organisation's by nature (every cell, every person);
# measured like pages (their query count must not grow), reported apart.
DOWNLOADS = {"metrics:dashboard_export", "metrics:import_sample", "metrics:import_template"}


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def large_url(url: str) -> str:
    parts = urlparse(url)
    return parts._replace(path=f"/{parts.path.strip('/')}_big").geturl()


# --- What the measured process does --------------------------------------------------------


def _setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "upskill.settings")
    import logging

    import django

    django.setup()
    # Every refusal a user is meant to get (403, 404) would be logged as a warning.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    from django.conf import settings

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def seed_once(people: int) -> float | None:
    """Seed the organisation if the database has none; the seconds it took, or None."""
    from django.core.management import call_command

    from upskill.models import Person

    call_command("migrate", verbosity=0)
    if Person.objects.exists():
        return None
    log(f"seeding {people:,} people")
    started = time.perf_counter()
    call_command("seed_demo", people=people, stdout=sys.stderr)
    return round(time.perf_counter() - started, 1)


def _hr_sync_run_planned(admin):
    """A planned (never confirmed) HR sync of the organisation's own files, edited as a
    reorganisation would be: one person in twenty moves team, one in fifty joins."""
    import csv
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile

    from demo.hr_export import hr_files_export
    from upskill.models import HrSyncRun
    from upskill.services import hr_sync_run_create

    run = HrSyncRun.objects.filter(people_name=f"{BENCH_NAME}-people.csv").first()
    if run is not None:
        return run
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        teams_path, people_path = hr_files_export(directory=Path(directory))
        teams_csv = teams_path.read_text(encoding="utf-8")
        rows = list(csv.reader(io.StringIO(people_path.read_text(encoding="utf-8"))))
    header, people = rows[0], rows[1:]
    team_column, id_column, manager_column = (
        header.index("team_id"),
        header.index("employee_id"),
        header.index("manager_employee_id"),
    )
    team_ids = sorted({row[team_column] for row in people})
    for n, row in enumerate(people):
        if n % 20 == 7:
            row[team_column] = team_ids[(team_ids.index(row[team_column]) + 1) % len(team_ids)]
    joiners = []
    for n, row in enumerate(people[: len(people) // 50]):
        joiner = list(row)
        joiner[id_column] = f"J{n:06d}"
        joiner[header.index("email")] = f"joiner{n}@kestrel.example"
        joiner[manager_column] = row[id_column]
        joiners.append(joiner)
    out = io.StringIO()
    csv.writer(out).writerows([header, *people, *joiners])
    run = hr_sync_run_create(
        teams_upload=SimpleUploadedFile(f"{BENCH_NAME}-teams.csv", teams_csv.encode()),
        people_upload=SimpleUploadedFile(f"{BENCH_NAME}-people.csv", out.getvalue().encode()),
        full=False,
        created_by=admin,
    )
    run.refresh_from_db()  # planned in-process (no broker) after the create's commit
    return run


def bench_world() -> dict:
    """The users and URL kwargs the pages are requested with (found in the seed, or
    added once: see the module docstring)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from demo.organisation import EMPLOYEE_USERNAME, LEADER_USERNAME, MANAGER_USERNAME
    from metrics.models import ImportRun, XapiActivityMapping, XapiKey, XapiVerbMapping
    from pathways.models import Enrollment, RoleRubric, StepProgress
    from pathways.services import badges as badge_services
    from responsibilities.models import AlignmentSurvey, Commitment, ResponsibilityArea
    from upskill.models import (
        Notification,
        ScimConnection,
        TeamChatWebhook,
    )
    from upskill.notifications import unsubscribe_token
    from upskill.services.credentials import secret_digest

    User = get_user_model()
    users = {
        "employee": User.objects.get(username=EMPLOYEE_USERNAME),
        "manager": User.objects.get(username=MANAGER_USERNAME),
        "leader": User.objects.get(username=LEADER_USERNAME),
        "ld_admin": User.objects.get(username="admin"),
    }
    # The leader of the employee's top-level unit (the team below the company): a
    # region's head at 50,000 people, a department's at 5,000 (the demo leader then).
    unit = users["employee"].person.team
    while unit.parent_id is not None and unit.parent.parent_id is not None:
        unit = unit.parent
    users["top_leader"] = unit.leaders.order_by("pk").first()

    employee = users["employee"].person
    enrollment = (
        Enrollment.objects.filter(person=employee, completed_at__isnull=True)
        .select_related("pathway")
        .order_by("pk")
        .first()
    )
    pathway = enrollment.pathway
    stage = pathway.stages.order_by("position").first()
    steps = list(pathway.steps.filter(is_archived=False).order_by("stage__position", "position"))
    step = steps[0]
    practice = next((s for s in steps if s.product_id), step)
    submitted = StepProgress.objects.filter(
        enrollment__person=employee, status=StepProgress.Status.SUBMITTED
    ).first()
    rubric = RoleRubric.objects.order_by("pk").first()
    area = ResponsibilityArea.objects.order_by("position").first()
    commitment = Commitment.objects.filter(computed_from="", is_active=True).order_by("pk").first()
    survey = AlignmentSurvey.objects.order_by("-opens_at").first()

    with transaction.atomic():
        # The employee's badge: a completed enrolment of theirs, made once if the seed
        # gave them none (they are mid-pathway in the demo's story).
        completed = (
            Enrollment.objects.filter(person=employee, completed_at__isnull=False)
            .order_by("pk")
            .first()
        )
        if completed is None:
            other = (
                Enrollment.objects.exclude(pathway=pathway)
                .filter(pathway__status="published")
                .values_list("pathway_id", flat=True)
                .first()
            )
            completed, _ = Enrollment.objects.get_or_create(
                person=employee, pathway_id=other, defaults={"completed_at": timezone.now()}
            )
            if completed.completed_at is None:
                Enrollment.objects.filter(pk=completed.pk).update(completed_at=timezone.now())
                completed.refresh_from_db()
        badge = badge_services.badge_issue(enrollment=completed)  # idempotent
        badge_services.badge_sharing_set(badge=badge, person=employee, is_public=True)
        import_run, _ = ImportRun.objects.get_or_create(
            original_name=f"{BENCH_NAME}.csv",
            defaults={"kind": "activity", "status": ImportRun.Status.VALIDATED},
        )
        notification, _ = Notification.objects.get_or_create(
            recipient=users["employee"],
            key=BENCH_NAME,
            defaults={"kind": "overdue", "subject": "Overdue", "url": "/"},
        )
        webhook, _ = TeamChatWebhook.objects.get_or_create(
            team_id=employee.team_id,
            defaults={"service": "slack", "url": "https://hooks.slack.com/services/T/B/bench"},
        )
        xapi_key, _ = XapiKey.objects.get_or_create(
            key_hash=secret_digest(XAPI_KEY),
            defaults={"name": BENCH_NAME, "prefix": XAPI_KEY[:12]},
        )
        scim, _ = ScimConnection.objects.get_or_create(
            token_hash=secret_digest(SCIM_TOKEN),
            defaults={"name": BENCH_NAME, "prefix": SCIM_TOKEN[:12]},
        )
        verb, _ = XapiVerbMapping.objects.get_or_create(
            verb_iri=f"https://{BENCH_NAME}.example/verb", defaults={"kind": "attended"}
        )
        activity, _ = XapiActivityMapping.objects.get_or_create(
            activity_iri=f"https://{BENCH_NAME}.example/course", defaults={"step": step}
        )
    hr_sync_run = _hr_sync_run_planned(users["ld_admin"])
    team = employee.team
    department = team.parent

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
        "pathways:assignment_remove": {"pk": 0},
        "pathways:product_row": {"pk": practice.product_id or 0},
        "pathways:product_edit": {"pk": practice.product_id or 0},
        "pathways:product_archive": {"pk": practice.product_id or 0},
        "pathways:rubric_cell": {
            "role_pk": rubric.job_role_id,
            "competency_pk": rubric.competency_id,
        },
        "pathways:rubric_edit": {
            "role_pk": rubric.job_role_id,
            "competency_pk": rubric.competency_id,
        },
        "pathways:review": {"pk": submitted.pk if submitted else 0},
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
        "pathways:step": {"slug": pathway.slug, "key": step.key},
        "pathways:step_start": {"slug": pathway.slug, "key": step.key},
        "pathways:step_done": {"slug": pathway.slug, "key": step.key},
        "pathways:evidence_submit": {"slug": pathway.slug, "key": practice.key},
        "pathways:step_feedback": {"slug": pathway.slug, "key": step.key},
        "pathways:feedback_summary": {"slug": pathway.slug},
        "responsibilities:area_row": {"pk": area.pk},
        "responsibilities:area_raci_edit": {"pk": area.pk},
        "responsibilities:commitment_create": {"area_pk": area.pk},
        "responsibilities:commitment_edit": {"pk": commitment.pk},
        "responsibilities:commitment_set_active": {"pk": commitment.pk},
        "responsibilities:check_in_record": {"pk": commitment.pk, "team_pk": team.pk},
        "responsibilities:pulse_close": {"pk": survey.pk},
        "responsibilities:pulse_answer": {"pk": survey.pk},
        "responsibilities:pulse_results": {"pk": survey.pk},
        "organisation_run": {"pk": hr_sync_run.pk},
        "organisation_run_confirm": {"pk": hr_sync_run.pk},
        "organisation_run_cancel": {"pk": hr_sync_run.pk},
        "scim_connection_revoke": {"pk": scim.pk},
        "metrics:import_run": {"pk": import_run.pk},
        "metrics:import_run_confirm": {"pk": import_run.pk},
        "metrics:import_run_cancel": {"pk": import_run.pk},
        "metrics:xapi_key_revoke": {"pk": xapi_key.pk},
        "metrics:xapi_verb_mapping_delete": {"pk": verb.pk},
        "metrics:xapi_activity_mapping_delete": {"pk": activity.pk},
        "metrics:import_template": {"kind": "activity"},
        "metrics:import_sample": {"kind": "jira"},
        "scim:schema": {"pk": "urn:ietf:params:scim:schemas:core:2.0:User"},
        "scim:resource_type": {"pk": "User"},
        "scim:user": {"pk": employee.pk},
        "scim:group": {"pk": team.pk},
        "scim:not_found": {"rest": "Nothing"},
        "notifications:read": {"pk": notification.pk},
        "notifications:chat_webhook_delete": {"pk": webhook.pk},
        "notifications:unsubscribe": {
            "token": unsubscribe_token(user_id=users["employee"].pk, kinds=["overdue"])
        },
    }
    # The filters list pages take, beside the page itself (query strings).
    variants = {
        "audit": ["kind=sign-ins", "kind=failed-sign-ins", "kind=denials", "page=2"],
        "pathways:assign": ["q=sa", "page=2"],
        "pathways:assign_people": ["q=sa", "q=support"],
        "pathways:review_queue": ["page=2"],
        "pathways:feedback_summary": [f"step={step.pk}", f"step={step.pk}&page=2"],
        "responsibilities:fulfilment": [
            f"team={team.slug}",
            f"team={department.slug}",
            "q=support",
            "page=2",
        ],
        "responsibilities:standoff": ["q=support", "page=2"],
        "metrics:dashboard": [f"team={department.slug}"],
        "metrics:impact_planner": ["page=2"],
        "metrics:imports": ["page=2"],
        "metrics:xapi_keys": ["page=2"],
        "notifications:chat_webhooks": ["page=2"],
        "organisation": ["page=2"],
        "organisation_run": ["section=movers&page=2", "section=joiners&page=3"],
        "scim_connections": ["page=2"],
        "scim:users": ["startIndex=101&count=100"],
        "scim:groups": ["startIndex=101&count=100"],
    }
    return {"users": users, "kwargs": kwargs, "variants": variants}


def url_names() -> list[str]:
    from django.urls import URLResolver, get_resolver

    names = []

    def walk(resolver, namespace=None):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                walk(pattern, pattern.namespace or namespace)
            elif pattern.name:
                names.append(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver())
    return sorted(set(names))


def _consume(response) -> int:
    if response.streaming:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def page_figures(client, url: str, headers: dict, samples: int) -> dict:
    """One page for one user: status, query count and (for a page they may open) the
    median and p95 of `samples` requests."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url, headers=headers)  # warm-up (templates, caches)
    _consume(response)
    if response.status_code == 405:
        return {"status": 405}
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
        size = _consume(response)
    figures = {"status": response.status_code, "queries": len(queries), "bytes": size}
    location = response.headers.get("Location", "")
    if response.status_code != 200:
        if location:
            figures["location"] = location.split("?")[0]
        return figures
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        _consume(client.get(url, headers=headers))
        times.append((time.perf_counter() - started) * 1_000)
    times.sort()
    figures["median_ms"] = round(statistics.median(times), 1)
    figures["p95_ms"] = round(statistics.quantiles(times, n=20, method="inclusive")[18], 1)
    return figures


def measure(people: int, samples: int) -> dict:
    """Seed if needed, then every page as every user; the figures as a dict."""
    _setup_django()
    from django.db import connection
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from metrics.models import ActivityRecord
    from upskill.models import Person, Team

    seed_seconds = seed_once(people)
    world = bench_world()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("CHECKPOINT")
    clients = {}
    for role, user in world["users"].items():
        clients[role] = Client()
        clients[role].force_login(user)
    api = {
        "scim_client": {"Authorization": f"Bearer {SCIM_TOKEN}"},
        "xapi_client": {
            "Authorization": f"Bearer {XAPI_KEY}",
            "X-Experience-API-Version": "1.0.3",
        },
    }
    pages: dict[str, dict] = {}
    post_only: set[str] = set()
    names = url_names()
    log(f"{len(names)} URL names, {len(clients)} users and 2 API clients")
    for name in names:
        try:
            url = reverse(name, kwargs=world["kwargs"].get(name, {}))
        except NoReverseMatch as error:
            pages[name] = {"error": str(error)}
            continue
        queries = [""] + world["variants"].get(name, [])
        headers = {"HX-Request": "true"} if name in HTMX_ONLY else {}
        for query in queries:
            full = f"{url}?{query}" if query else url
            label = f"{name}{'?' + query if query else ''}"
            callers = list(clients.items())
            if name.startswith("scim:"):
                callers = [("scim_client", Client())]
            elif name.startswith("metrics:xapi_") and not name.startswith("metrics:xapi_key"):
                callers += [("xapi_client", Client())]
            for role, client in callers:
                figures = page_figures(client, full, {**headers, **api.get(role, {})}, samples)
                if figures["status"] == 405:
                    post_only.add(name)
                    break
                pages[f"{role} {label}"] = figures
        log(f"  {name}")
    return {
        "people": Person.objects.count(),
        "teams": Team.objects.count(),
        "activity_rows": ActivityRecord.objects.count(),
        "seed_seconds": seed_seconds,
        "load_average": load_average(),
        "machine": machine(connection),
        "pages": pages,
        "post_only": sorted(post_only),
    }


# --- The parent: one fresh process per size ------------------------------------------------


def run_size(url: str, people: int, samples: int) -> dict:
    created = database_create_if_missing(url)
    log(f"{people:,} people: database {'created' if created else 'exists'}")
    result = subprocess.run(
        [sys.executable, __file__, "--measure", str(people), "--samples", str(samples)],
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        capture_output=False,
        stdout=subprocess.PIPE,
        text=True,
        timeout=6 * 3_600,
    )
    return json.loads(result.stdout)


def compare(small: dict, large: dict, slow_ms: float) -> dict:
    differ = {}
    for key, figures in large["pages"].items():
        before = small["pages"].get(key)
        if before is None:
            differ[key] = {"small": None, "large": figures.get("queries")}
        elif (before.get("queries"), before.get("status")) != (
            figures.get("queries"),
            figures.get("status"),
        ):
            differ[key] = {
                "small": [before.get("status"), before.get("queries")],
                "large": [figures.get("status"), figures.get("queries")],
            }
    slow = {
        key: figures["p95_ms"]
        for key, figures in large["pages"].items()
        if figures.get("p95_ms", 0) > slow_ms
    }
    return {"queries_differ": differ, "slow_at_large": dict(sorted(slow.items()))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=5_000, help="people in the small seed")
    parser.add_argument("--large", type=int, default=50_000, help="people in the large seed")
    parser.add_argument("--large-database-url", help="default: DATABASE_URL's name + _big")
    parser.add_argument("--samples", type=int, default=SAMPLES, help="timed requests a page")
    parser.add_argument("--slow-ms", type=float, default=SLOW_MS, help="p95 reported as slow")
    parser.add_argument("--only", choices=("small", "large"), help="measure one size only")
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)  # the child process
    options = parser.parse_args()
    if options.samples < 2:
        parser.error("--samples must be at least 2 (a median and a p95 need two).")
    if options.measure:
        print(json.dumps(measure(options.measure, options.samples)))
        return
    url = database_url_or_exit()
    urls = {"small": url, "large": options.large_database_url or large_url(url)}
    people = {"small": options.small, "large": options.large}
    started_load = load_average()
    sizes = {}
    for size in ("small", "large"):
        if options.only in (None, size):
            sizes[size] = run_size(urls[size], people[size], options.samples)
    result: dict = {
        "load_average_at_start": started_load,
        "load_average_at_end": load_average(),
        "samples": options.samples,
        "slow_ms": options.slow_ms,
        "sizes": {
            size: {key: value for key, value in figures.items() if key != "pages"}
            for size, figures in sizes.items()
        },
    }
    if len(sizes) == 2:
        result |= compare(sizes["small"], sizes["large"], options.slow_ms)
    result["pages"] = {
        key: {size: figures["pages"].get(key) for size, figures in sizes.items()}
        for key in sorted(set().union(*(figures["pages"] for figures in sizes.values())))
    }
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
