"""Two overlapping imports and two simultaneous rollups on PostgreSQL: the rows that
commit out of id order are not skipped, and concurrent rollups agree."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections, transaction

from metrics import services
from metrics.models import ActivityRecord, RollupDirtyBucket
from tests.factories import PersonFactory, TeamFactory
from tests.metrics.activity_recount import recount, rollup_rows
from tests.metrics.csv_files import activity_csv, file_apply

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent transactions (PostgreSQL)"
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def import_rows(email: str, prefix: str, minutes: int):
    return file_apply(
        "activity",
        activity_csv(
            *(
                f"{email},2025-03-0{day}T09:00:00Z,{minutes},practiced,,,{prefix}-{day}"
                for day in (3, 4)
            )
        ),
    )


def activity_now():
    return list(ActivityRecord.objects.select_related("person"))


def test_an_import_committing_after_a_later_one_and_a_rollup_is_not_skipped():
    team = TeamFactory()
    slow, fast = PersonFactory(team=team), PersonFactory(team=team)
    written, release = threading.Event(), threading.Event()
    errors = []

    def slow_import():
        try:
            with transaction.atomic():
                import_rows(slow.user.email, "slow", 40)  # takes the lower ids
                written.set()
                release.wait(20)
        except Exception as exc:  # pragma: no cover - surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=slow_import)
    thread.start()
    assert written.wait(20)
    import_rows(fast.user.email, "fast", 25)  # higher ids, commits first
    services.rollup_incremental()  # sees only the fast import
    assert {k for k in rollup_rows() if k[3] == "learning_minutes"}
    release.set()
    thread.join(20)
    assert not errors

    services.rollup_incremental()

    records = activity_now()
    assert len(records) == 4
    minutes = rollup_rows()[(team.pk, dt.date(2025, 3, 3), None, "learning_minutes")]
    assert minutes == (2 * 40 + 2 * 25, 2)
    assert {k: v for k, v in rollup_rows().items() if k[3] in services.ACTIVITY_METRICS} == (
        recount(records)
    )
    assert not RollupDirtyBucket.objects.exists()


def test_two_rollups_at_once_give_the_same_rows_as_one():
    team = TeamFactory()
    people = [PersonFactory(team=team) for _ in range(3)]
    for n, person in enumerate(people):
        import_rows(person.user.email, f"p{n}", 10 + n)
    errors = []

    def roll(full: bool):
        try:
            services.rollup_rebuild() if full else services.rollup_incremental()
        except Exception as exc:  # pragma: no cover - surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=roll, args=(n % 2 == 0,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert not errors
    assert {k: v for k, v in rollup_rows().items() if k[3] in services.ACTIVITY_METRICS} == (
        recount(activity_now())
    )
