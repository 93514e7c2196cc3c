"""DATABASE_REPLICA_URL end to end on PostgreSQL: a second real connection as the
`replica` alias (to the test database, as settings' TEST MIRROR makes it), the real
router and middleware, and each query seen on the connection that ran it.

The leader's dashboard and its CSV read their figures through the replica; a check-in
(a POST) reads and writes only the primary, and pins the browser to the primary for the
next page, so the leader sees what they just recorded however far the replica lags.

Transactional: the replica connection sees only what is committed, as a real replica.
"""

import datetime as dt

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from metrics import services as metrics_services
from responsibilities import periods
from tests.factories import ActivityRecordFactory, PersonFactory, TeamFactory, UserFactory
from upskill.replica import PIN_COOKIE, REPLICA

pytestmark = [
    pytest.mark.skipif(
        connections["default"].vendor != "postgresql",
        reason="a read replica is a PostgreSQL set-up (DATABASE_URL=postgres://...)",
    ),
    pytest.mark.django_db(
        transaction=True, serialized_rollback=True, databases=["default", REPLICA]
    ),
    pytest.mark.usefixtures("eager_celery"),
]


@pytest.fixture(scope="module", autouse=True)
def replica_alias(django_db_setup):
    """What DATABASE_REPLICA_URL adds to settings, pointed at the test database: a
    second alias, so a second connection, read-only as a hot standby is: a write sent
    to it would fail the test. Module-scoped, so the alias exists before each test's
    database access is set up (which checks the aliases a test names)."""
    primary = connections["default"].settings_dict
    settings_dict = {
        **primary,
        "OPTIONS": {**primary["OPTIONS"], "options": "-c default_transaction_read_only=on"},
        "TEST": {**primary["TEST"], "MIRROR": "default"},
    }
    connections.settings[REPLICA] = settings_dict
    yield
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


@pytest.fixture
def world(learning_time):
    """A leader of a team of five with a week of activity, rolled up."""
    leader = UserFactory(username="boss")
    team = TeamFactory(name="Checkout", leaders=[leader])
    week = timezone.now() - dt.timedelta(days=7)
    for person in PersonFactory.create_batch(5, team=team):
        ActivityRecordFactory(person=person, occurred_at=week, minutes=40)
    metrics_services.rollup_rebuild()
    return {"leader": leader, "team": team, "commitment": learning_time}


def tables_read(queries) -> set[str]:
    return {
        table
        for query in queries
        for table in ("metrics_weeklyrollup", "upskill_team", "django_session", "auth_user")
        if f'"{table}"' in query["sql"] or f" {table} " in query["sql"]
    }


def get(client, url: str):
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as copy,
    ):
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)  # the CSV's queries run while it streams
    return response, primary, copy


def test_the_dashboard_and_its_export_read_their_figures_from_the_replica(client, world):
    client.force_login(world["leader"])

    for url in ("/dashboard/", "/dashboard/export.csv"):
        response, primary, copy = get(client, url)

        assert response.status_code == 200
        assert "metrics_weeklyrollup" in tables_read(copy), url
        assert "upskill_team" in tables_read(copy), url
        # The primary served only who the user is: the session and the user, loaded
        # before the view (and always from the primary).
        assert tables_read(primary) <= {"django_session", "auth_user"}, url
        assert not [q for q in copy if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]
        assert PIN_COOKIE not in response.cookies
    assert "Checkout" in client.get("/dashboard/").text


def test_a_post_uses_only_the_primary_and_the_next_page_reads_what_it_wrote(client, world):
    client.force_login(world["leader"])
    team, commitment = world["team"], world["commitment"]
    url = f"/responsibilities/commitments/{commitment.pk}/teams/{team.pk}/check-in/"
    start = periods.period_start(timezone.localdate(), "week")

    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as copy,
    ):
        response = client.post(url, {"team": team.pk, "period_start": start, "value": "3.5"})

    assert response.status_code == 302
    assert len(copy) == 0
    assert any(q["sql"].startswith("INSERT") for q in primary)
    assert PIN_COOKIE in response.cookies

    # Pinned: the fulfilment page right after reads the primary, and shows the check-in.
    page, primary, copy = get(client, f"/responsibilities/fulfilment/?team={team.slug}")
    assert page.status_code == 200
    assert len(copy) == 0
    assert "3.5" in page.text

    # Once the pin is gone (it lasts DATABASE_REPLICA_PIN_SECONDS), the replica again.
    del client.cookies[PIN_COOKIE]
    page, primary, copy = get(client, f"/responsibilities/fulfilment/?team={team.slug}")
    assert len(copy) > 0
    assert "3.5" in page.text


def test_the_replica_connection_refuses_writes_as_a_standby_would(world):
    # The guard the tests above rely on: had the router sent a write to the replica,
    # it would have failed there.
    from django.db import InternalError

    with (
        pytest.raises(InternalError, match="read-only transaction"),
        connections[REPLICA].cursor() as cursor,
    ):
        cursor.execute("UPDATE upskill_team SET name = name")
