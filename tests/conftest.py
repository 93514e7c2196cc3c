"""Fixtures shared by the whole suite: one signed-in user per role.

Roles follow upskill/access.py: an L&D admin is a member of the "L&D admins" group
(created by a migration), a leader is a user in `Team.leaders`, and an employee is a
user with a Person record.

Transactional tests (the live server, the Celery worker) mark themselves
`django_db(transaction=True, serialized_rollback=True)`: their flush empties every table,
and serialized_rollback both restores the migrations' seed rows (groups, outcome
measures, responsibility areas) and stops the flush re-creating content types that a
later restore would collide with. A transactional test without it breaks the next one.
"""

import uuid
from decimal import Decimal

import pytest

from responsibilities import services as responsibility_services
from responsibilities.models import ResponsibilityArea
from tests.chat_peer import chat_peer  # noqa: F401  (a real webhook HTTP server, for any test)
from tests.factories import LDAdminFactory, PersonFactory, TeamFactory, UserFactory
from tests.smtp_server import smtp_server  # noqa: F401  (a real SMTP server, for any test)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 with Django's default work factor costs ~0.3 s per user; tests sign many
    # users in, and what they check is the login flow, not the hash's strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _a_cache_of_its_own(settings):
    """Every test starts with an empty cache. The figures cache (upskill/cache.py) keys
    entries on input generations, which start again when a test's transaction rolls
    back, so an earlier test's entry could otherwise answer a later test's request. A
    key prefix of the test's own rather than cache.clear(): on the service run the
    cache is REDIS_URL's database, which the Celery broker shares, and clear() would
    flush it."""
    settings.CACHES = {
        alias: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
        for alias, config in settings.CACHES.items()
    }
    settings.FIGURES_CACHE_SECONDS = 300  # what a test leaves in a shared Redis goes soon


@pytest.fixture
def team(db):
    """The team the `leader` fixture leads and the `employee` fixture works in."""
    return TeamFactory(name="Payments", slug="payments")


@pytest.fixture
def ld_admin(db):
    """An L&D admin user (group member, not a superuser, no Person record)."""
    return LDAdminFactory(username="lnd", first_name="Lena", last_name="Admin")


@pytest.fixture
def leader(team):
    """A user who leads `team` and has no Person record of their own."""
    user = UserFactory(username="lead", first_name="Leo", last_name="Leader")
    team.leaders.add(user)
    return user


@pytest.fixture
def employee(team):
    """A Person in `team` (use `employee.user` to sign in)."""
    return PersonFactory(
        team=team, user__username="emp", user__first_name="Emma", user__last_name="Employee"
    )


def pytest_configure(config):
    # WhiteNoise serves STATIC_ROOT, which only `collectstatic` (the production image)
    # creates; the test server serves static files from the finders instead.
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning")


@pytest.fixture
def eager_celery():
    """Celery jobs run in-process for this test even on the service run (REDIS_URL set),
    where nothing would consume them; tests/integration/ covers the real worker. Use it
    with `pytestmark = pytest.mark.usefixtures("eager_celery")`."""
    from upskill.celery import app as celery_app

    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def infrastructure(db):
    """The seeded "learning infrastructure" area of the responsibility matrix."""
    return ResponsibilityArea.objects.get(key="learning-infrastructure")


@pytest.fixture
def learning_time(infrastructure):
    """A managers' weekly commitment under `infrastructure`: 4 learning hours per person."""
    return responsibility_services.commitment_create(
        area=infrastructure,
        party="manager",
        title="Weekly learning hours",
        target=Decimal("4"),
        unit="hours per person",
        period="week",
    )


def pytest_collection_modifyitems(config, items):
    """Hold every transactional test to the rule in this module's docstring: one without
    serialized_rollback flushes the migrations' seed rows and lets post_migrate re-create
    content types, and the next serialized test then fails at set-up on a duplicate
    content type — far from the test that caused it. Refuse it at collection instead."""
    offenders = [
        item.nodeid
        for item in items
        for marker in item.iter_markers("django_db")
        if marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback")
    ]
    if offenders:
        raise pytest.UsageError(
            "Transactional tests must also set serialized_rollback=True (tests/conftest.py): "
            + ", ".join(sorted(set(offenders)))
        )
