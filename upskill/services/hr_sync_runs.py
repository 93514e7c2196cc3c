"""HR sync in the browser: upload both files, a job plans them, the L&D admin reads the
plan and confirms, a job applies it (hr_sync.hr_sync_apply: all or nothing).

The apply re-plans against the database as it is then, inside its transaction, so a
change made between planning and confirming is never overwritten blindly; if the
leavers it finds are a mass leaving the admin did not confirm, nothing is written."""

from __future__ import annotations

import logging
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from upskill import access, enqueue, notifications
from upskill.models import HrSyncRun, Notification
from upskill.services.audit import audit_action, audit_record
from upskill.services.hr_sync import HrPlan, HrSyncRejected, hr_sync_apply, hr_sync_plan

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 20 * 1024 * 1024  # 50,000 people is about 5 MB


def _read(upload: UploadedFile | None, *, label: str) -> tuple[str, str]:
    if upload is None:
        return "", ""
    name = PurePath(upload.name or label).name[:255]
    if PurePath(name).suffix.lower() not in (".csv", ".txt"):
        raise ValidationError(f"The {label} file {name} is not a CSV file: choose a .csv file.")
    if upload.size > MAX_FILE_BYTES:
        raise ValidationError(
            f"The {label} file is {upload.size:,} bytes; the limit is {MAX_FILE_BYTES:,}."
        )
    content = upload.read()
    if b"\x00" in content:
        raise ValidationError(f"The {label} file is not a text file; choose the CSV export.")
    try:
        return name, content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            f"The {label} file is not UTF-8 text; save it as CSV UTF-8 and upload it again."
        ) from None


@transaction.atomic
def hr_sync_run_create(
    *,
    teams_upload: UploadedFile | None,
    people_upload: UploadedFile | None,
    full: bool,
    created_by,
) -> HrSyncRun:
    """Check and keep the uploaded files, then queue their planning."""
    if teams_upload is None and people_upload is None:
        raise ValidationError("Choose a teams file, a people file or both.")
    if full and (teams_upload is None or people_upload is None):
        raise ValidationError("A full sync needs both files: it removes what they omit.")
    teams_name, teams_csv = _read(teams_upload, label="teams")
    people_name, people_csv = _read(people_upload, label="people")
    run = HrSyncRun.objects.create(
        teams_name=teams_name,
        teams_csv=teams_csv,
        people_name=people_name,
        people_csv=people_csv,
        full=full,
        created_by=created_by,
    )
    enqueue.hr_sync_run_plan_enqueue(hr_sync_run_id=run.pk)
    return run


def _files(run: HrSyncRun) -> dict:
    return {
        "teams_file": run.teams_csv if run.teams_name else None,
        "people_file": run.people_csv if run.people_name else None,
        "teams_name": run.teams_name or "teams",
        "people_name": run.people_name or "people",
        "full": run.full,
    }


def hr_sync_run_audit(run: HrSyncRun) -> None:
    """The run's one audit entry, when it settles (applied, refused, failed or
    cancelled), naming the admin who uploaded it."""
    files = " and ".join(name for name in (run.teams_name, run.people_name) if name)
    changes = {}
    if run.status == HrSyncRun.Status.DONE:
        plan = HrPlan.from_dict(run.plan) if run.plan else None
        if plan is not None:
            changes = {
                label: [None, count]
                for (name, label) in plan.sections()
                if (count := plan.counts[name])
            }
        summary = f"Applied HR sync #{run.pk} ({files})" + (
            "" if changes else ": nothing to change"
        )
    else:
        summary = f"HR sync #{run.pk} ({files}) {run.get_status_display().lower()}"
        if run.message:
            changes = {"message": [None, run.message]}
    audit_record(
        run,
        summary=summary,
        changes=changes,
        actor=run.created_by,
        object_repr=f"HR sync #{run.pk}",
    )


def _settled(run_id: int) -> None:
    hr_sync_run_audit(HrSyncRun.objects.select_related("created_by").get(pk=run_id))


def _errors(exc: HrSyncRejected) -> list[dict]:
    return [{"file": e.file, "line": e.line, "message": e.message} for e in exc.errors]


def hr_sync_run_plan(*, hr_sync_run_id: int) -> HrSyncRun:
    """Plan the run's files; writes only the run's own report. Not atomic on purpose:
    the progress UPDATEs commit as they go, for the page's progress bar."""
    run = HrSyncRun.objects.get(pk=hr_sync_run_id)
    if run.status not in (HrSyncRun.Status.PENDING, HrSyncRun.Status.PLANNING):
        return run  # a redelivered message for a run that has moved on
    HrSyncRun.objects.filter(pk=run.pk).update(status=HrSyncRun.Status.PLANNING)

    def progress(done: int, total: int) -> None:
        HrSyncRun.objects.filter(pk=run.pk).update(progress_done=done, progress_total=total)

    try:
        plan = hr_sync_plan(**_files(run), progress=progress)
    except HrSyncRejected as exc:
        refused = HrSyncRun.objects.filter(pk=run.pk, status=HrSyncRun.Status.PLANNING).update(
            status=HrSyncRun.Status.REJECTED,
            row_errors=_errors(exc),
            message=f"{len(exc.errors)} problem(s) in the files; nothing was changed.",
            finished_at=timezone.now(),
        )
        if refused:  # (not if it was cancelled meanwhile: that was its entry)
            _settled(run.pk)
    except Exception:
        logger.exception("Planning HR sync run %s failed", hr_sync_run_id)
        HrSyncRun.objects.filter(pk=run.pk).update(
            status=HrSyncRun.Status.FAILED,
            message="Planning failed unexpectedly; nothing was changed. Upload again.",
            finished_at=timezone.now(),
        )
        _settled(run.pk)
        raise
    else:
        HrSyncRun.objects.filter(pk=run.pk, status=HrSyncRun.Status.PLANNING).update(
            status=HrSyncRun.Status.PLANNED, plan=plan.as_dict()
        )
    run.refresh_from_db()
    return run


@transaction.atomic
def hr_sync_run_confirm(*, hr_sync_run: HrSyncRun, allow_mass_leavers: bool) -> HrSyncRun:
    """The admin read the plan and chose to apply it."""
    run = HrSyncRun.objects.select_for_update().get(pk=hr_sync_run.pk)
    if run.status != HrSyncRun.Status.PLANNED:
        raise ValidationError(
            f"This sync is {run.get_status_display().lower()}; only a planned sync waiting "
            "for confirmation can be applied."
        )
    plan = HrPlan.from_dict(run.plan)
    if plan.is_mass_leaving and not allow_mass_leavers:
        raise ValidationError(
            f"This sync makes {len(plan.leavers)} people leavers; tick the box that confirms "
            "it to apply."
        )
    run.status = HrSyncRun.Status.APPLYING
    run.allow_mass_leavers = allow_mass_leavers
    run.save(update_fields=["status", "allow_mass_leavers"])
    enqueue.hr_sync_run_apply_enqueue(hr_sync_run_id=run.pk)
    return run


@transaction.atomic
def hr_sync_run_cancel(*, hr_sync_run: HrSyncRun) -> HrSyncRun:
    """The admin chose not to apply: nothing was written, and nothing will be."""
    run = HrSyncRun.objects.select_for_update().get(pk=hr_sync_run.pk)
    if run.status not in (
        HrSyncRun.Status.PENDING,
        HrSyncRun.Status.PLANNING,
        HrSyncRun.Status.PLANNED,
    ):
        raise ValidationError(
            f"This sync is {run.get_status_display().lower()}; it can no longer be cancelled."
        )
    run.status = HrSyncRun.Status.CANCELLED
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "finished_at"])
    hr_sync_run_audit(run)
    return run


def hr_sync_run_apply(*, hr_sync_run_id: int) -> HrSyncRun:
    """Apply a confirmed run (one transaction). Safe to run twice: the run row is locked
    and its status re-checked inside the transaction."""
    try:
        with transaction.atomic(), audit_action():
            run = HrSyncRun.objects.select_for_update().get(pk=hr_sync_run_id)
            if run.status != HrSyncRun.Status.APPLYING:
                return run
            plan = hr_sync_apply(**_files(run), allow_mass_leavers=run.allow_mass_leavers)
            run.status = HrSyncRun.Status.DONE
            run.plan = plan.as_dict()
            run.message = "Nothing to change." if plan.is_empty else "Applied."
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "plan", "message", "finished_at"])
            hr_sync_run_audit(run)
    except HrSyncRejected as exc:
        HrSyncRun.objects.filter(pk=hr_sync_run_id).update(
            status=HrSyncRun.Status.REJECTED,
            row_errors=_errors(exc),
            message="The organisation changed since planning; nothing was written. "
            + " ".join(str(e) for e in exc.errors[:3]),
            finished_at=timezone.now(),
        )
        _settled(hr_sync_run_id)
    except Exception:
        logger.exception("Applying HR sync run %s failed", hr_sync_run_id)
        HrSyncRun.objects.filter(pk=hr_sync_run_id).update(
            status=HrSyncRun.Status.FAILED,
            message="Applying failed unexpectedly; nothing was written. Try again.",
            finished_at=timezone.now(),
        )
        _settled(hr_sync_run_id)
        raise
    run = HrSyncRun.objects.select_related("created_by").get(pk=hr_sync_run_id)
    hr_sync_run_notify(hr_sync_run=run)  # after commit; keyed, so a re-run notifies no one
    return run


def hr_sync_run_notify(*, hr_sync_run: HrSyncRun) -> int:
    """Tell every L&D admin that a sync changed the organisation, once per run (the key
    names the run). SCIM changes are not announced: identity providers send them one by
    one all day; they are in the audit trail."""
    run = hr_sync_run
    if run.status != HrSyncRun.Status.DONE or not run.plan:
        return 0
    plan = HrPlan.from_dict(run.plan)
    if plan.is_empty:
        return 0
    counts = ", ".join(
        f"{label.lower()}: {plan.counts[name]}"
        for name, label in plan.sections()
        if plan.counts[name] and name != "adopted"
    )
    who = run.created_by.get_full_name() or run.created_by.get_username() if run.created_by else ""
    return notifications.notifications_create(
        drafts=[
            notifications.NotificationDraft(
                recipient_id=user_id,
                kind=Notification.Kind.HR_SYNC_APPLIED,
                key=f"hr_sync:{run.pk}:applied:{user_id}",
                subject=f"HR sync #{run.pk} applied" + (f" by {who}" if who else ""),
                body=(counts or "Existing records were given their HR ids") + ".",
                url=reverse("organisation_run", args=[run.pk]),
            )
            for user_id in access.ld_admin_user_ids()
        ]
    )
