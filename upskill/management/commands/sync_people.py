"""`manage.py sync_people --teams TEAMS.csv --people PEOPLE.csv [--apply] [--full]
[--allow-mass-leavers]`: print the plan of an HR sync; with --apply, apply it (one
transaction: all of it or nothing). Formats: upskill.services.hr_sync and the README."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from upskill import services

SAMPLE = 20  # entries listed per section; the counts are always complete


class Command(BaseCommand):
    help = "Sync teams and people from the HR system's two CSV files (prints the plan)."

    def add_arguments(self, parser):
        parser.add_argument("--teams", type=Path, help="teams CSV file")
        parser.add_argument("--people", type=Path, help="people CSV file")
        parser.add_argument("--apply", action="store_true", help="apply the plan")
        parser.add_argument(
            "--full",
            action="store_true",
            help="people and teams missing from the files become leavers / are removed",
        )
        parser.add_argument(
            "--allow-mass-leavers",
            action="store_true",
            help="apply even if more than HR_SYNC_MAX_LEAVER_SHARE of people would leave",
        )

    def _read(self, path: Path | None) -> bytes | None:
        if path is None:
            return None
        try:
            return path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None

    def handle(self, *args, **options):
        teams, people = options["teams"], options["people"]
        files = {
            "teams_file": self._read(teams),
            "people_file": self._read(people),
            "teams_name": teams.name if teams else "teams",
            "people_name": people.name if people else "people",
            "full": options["full"],
        }
        try:
            if options["apply"]:
                plan = services.hr_sync_apply(
                    **files, allow_mass_leavers=options["allow_mass_leavers"]
                )
            else:
                plan = services.hr_sync_plan(**files)
        except services.HrSyncRejected as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len(exc.errors)} problem(s); nothing was changed. Fix the files and run again."
            ) from None
        self._print(plan)
        if options["apply"]:
            self.stdout.write("Applied." if not plan.is_empty else "Nothing to change.")
        else:
            if plan.is_mass_leaving:
                self.stdout.write(
                    f"Warning: {len(plan.leavers)} of {plan.active_people} active people would "
                    "become leavers; applying needs --allow-mass-leavers."
                )
            self.stdout.write("Nothing was changed; run again with --apply to apply this plan.")

    def _print(self, plan: services.HrPlan) -> None:
        # The optional columns' changes (tool logins) in their app's own words.
        describe = {
            handler.section: handler.describe for handler in services.hr_sync_columns_registered()
        }
        for name, label in plan.sections():
            entries = plan.section_items(name)
            self.stdout.write(f"{label}: {len(entries)}")
            for entry in entries[:SAMPLE]:
                if isinstance(entry, dict):
                    entry = (
                        describe[name](entry)
                        if name in describe
                        else ", ".join(f"{key} {value}" for key, value in entry.items())
                    )
                self.stdout.write(f"  {entry}")
            if len(entries) > SAMPLE:
                self.stdout.write(f"  … and {len(entries) - SAMPLE} more")
        if plan.unknown_leavers:
            self.stdout.write(
                f"Leaver rows for unknown employee ids (ignored): {plan.unknown_leavers}"
            )
