"""An employee submits evidence in the browser's way (the web view), a real Celery worker
consuming Redis sends the notification email through a real SMTP server, and the link in
it opens the review page for the manager.

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/pytest -m integration
"""

import re

import pytest
from celery import signals
from celery.result import AsyncResult
from django.urls import reverse

from tests.integration.test_celery_worker import (  # noqa: F401  (fixtures)
    SERVICES_CONFIGURED,
    worker_queue,
)
from tests.integration.test_upload_to_dashboard import wait_for
from tests.pathways.factories import a_journey
from upskill import tasks
from upskill.celery import app as celery_app

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not SERVICES_CONFIGURED,
        reason="needs DATABASE_URL=postgres://... and REDIS_URL=redis://... (the service run)",
    ),
]


@pytest.fixture
def emails_routed_to(worker_queue):  # noqa: F811
    """The service enqueues with no routing options; this test's own queue keeps another
    run on the same Redis from taking the task."""
    task = tasks.notification_emails_send
    ran: list[str] = []

    def remember(task_id=None, **kwargs):
        ran.append(task_id)

    task.queue = worker_queue
    task._exec_options = None
    signals.task_postrun.connect(remember, weak=False)
    yield worker_queue
    signals.task_postrun.disconnect(remember)
    del task.queue
    task._exec_options = None
    for task_id in ran:
        AsyncResult(task_id, app=celery_app).forget()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_submitted_evidence_reaches_the_manager_by_email_with_a_working_review_link(
    emails_routed_to, smtp_server, client
):
    assert celery_app.conf.task_always_eager is False
    journey = a_journey()
    client.force_login(journey.learner.user)
    response = client.post(
        reverse("pathways:evidence_submit", args=[journey.pathway.slug, journey.practise.key]),
        {"evidence": "Replied to five tickets with the assistant; each checked by me."},
    )
    assert response.status_code == 302

    [received] = wait_for(lambda: list(smtp_server.received), "the email at the SMTP server")
    assert received.rcpt_tos == [journey.manager.user.email]
    assert received.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "five tickets" not in received.message.as_string()
    link = re.search(r"https://upskill\.example(/learning/reviews/\d+/)", received.text).group(1)

    client.force_login(journey.manager.user)
    page = client.get(link)
    assert page.status_code == 200
    assert "Draft five real replies" in page.content.decode()
