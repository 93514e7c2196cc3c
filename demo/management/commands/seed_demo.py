import datetime as dt
import time
from pathlib import Path

from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from demo.hr_export import hr_files_export
from demo.organisation import DEFAULT_PEOPLE, MIN_PEOPLE
from demo.seed import DemoSeedResult, demo_organisation_seed
from upskill.services.audit import audit_action


class Command(BaseCommand):
    help = (
        "Create a believable demo organisation: teams, people, pathways with progress, "
        "commitments and a year of activity and outcomes. Safe to re-run: a second run "
        "adds nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--people",
            type=int,
            default=DEFAULT_PEOPLE,
            help=f"How many people (default {DEFAULT_PEOPLE}, at least {MIN_PEOPLE}); "
            "teams scale with it, about 25 people to a team. Use a fresh database to change "
            "the size of an existing demo.",
        )
        parser.add_argument(
            "--export-hr",
            type=Path,
            metavar="DIR",
            help="Also write the organisation as HR sync files, DIR/teams.csv and "
            "DIR/people.csv (the format `sync_people` and the Organisation page read).",
        )

    def handle(self, *args, people: int, export_hr: Path | None = None, **options) -> None:
        started = time.perf_counter()
        try:
            # The configuration it writes (products, rubrics, pathways, commitments,
            # pulses) is one entry in the audit trail, not one per row.
            with audit_action(
                summary="Seeded the demo organisation (manage.py seed_demo)",
                action=LogEntry.Action.CREATE,
            ):
                result = demo_organisation_seed(people=people)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if connection.vendor == "postgresql":
            # Planner statistics for the tables just filled, as after any bulk load: until
            # autovacuum gets to them (never, where it is off) PostgreSQL plans every page
            # for empty tables, and scans where an index would answer.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self._report(result, seconds=time.perf_counter() - started)
        if export_hr is not None:
            try:
                teams_path, people_path = hr_files_export(directory=export_hr)
            except OSError as error:
                raise CommandError(f"Cannot write the HR files to {export_hr}: {error}") from error
            self.stdout.write(
                f"HR files written: {teams_path} and {people_path}. Edit them and sync with "
                f"`python manage.py sync_people --teams {teams_path} --people {people_path}`."
            )

    def _report(self, result: DemoSeedResult, *, seconds: float) -> None:
        c = result.counts
        lines = [
            f"Demo organisation ready in {seconds:.1f} s: 52 weeks of data, up to the week "
            f"starting {result.anchor - dt.timedelta(weeks=1):%d %b %Y}.",
            "",
            f"  {c['people']:>7,} people in {c['working_teams']:,} teams and "
            f"{c['departments']:,} departments above them ({c['levels']} levels deep), "
            f"{c['leaders']:,} of them leading a team",
            f"  {c['pathways']:>7,} published pathways, {c['steps']:,} steps",
            f"  {c['enrollments']:>7,} enrolments: {c['enrollments_completed']:,} completed, "
            f"{c['enrollments_in_progress']:,} in progress, "
            f"{c['enrollments_not_started']:,} not started",
            f"  {c['step_progress']:>7,} step progress rows, "
            f"{c['waiting_for_review']:,} with evidence waiting for review",
            f"  {c['commitments']:>7,} commitments, {c['check_ins']:,} check-ins; "
            f"{c['recognitions']:,} recognitions; {c['pulse_answers']:,} pulse answers",
            f"  {c['activity_records']:>7,} activity records, "
            f"{c['observations']:,} outcome observations, {c['rollups']:,} rollup rows",
            "",
            f"Demo logins (password for all: {result.password}):",
        ]
        width = max(len(login.username) for login in result.logins)
        lines += [
            f"  {login.username:<{width}}  {login.name} - {login.role}" for login in result.logins
        ]
        lines.append(
            "Everyone else signs in with their username (first.last) and the same password."
        )
        self.stdout.write("\n".join(lines[:1]), self.style.SUCCESS)
        self.stdout.write("\n".join(lines[1:]))
