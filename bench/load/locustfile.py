"""Locust users for bench/load/run_load.py: employees, leaders and L&D admins of the
demo organisation, each signing in once and then reading their pages.

The user names come from the environment (run_load.py picks them from the database).

Steady state: the figures restart once every user has signed in (not merely been
spawned), so the opening burst of sign-ins (PBKDF2, slow by design: 50 of them keep
both cores busy for several seconds) is measured on its own and written to
LOAD_SIGN_IN_STATS, and what the run reports is 50 users reading pages."""

import html
import itertools
import json
import os
import random
import re
import threading

from locust import FastHttpUser, between, events, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "upskill-demo")
EMPLOYEES = itertools.cycle(os.environ["LOAD_EMPLOYEES"].split(","))
LEADERS = itertools.cycle(os.environ["LOAD_LEADERS"].split(","))
ADMINS = itertools.cycle(os.environ["LOAD_ADMINS"].split(","))
PATHWAY_IDS = [int(pk) for pk in os.environ.get("LOAD_PATHWAY_IDS", "").split(",") if pk]


# What a browser fetches after every page: whatever the page asks htmx to load as soon as
# it is shown (`hx-get="…" hx-trigger="load…"`): the notification bell (for a reviewer,
# the review count, which brings the bell along), and on My learning the pulse nudge and
# the commitments panel. Read off each page's HTML, so the bench follows the templates.
# Reported under "fragment: <path>", and left out of the page-only percentiles
# run_load.py reports beside Locust's aggregate.
LOADS_AFTER_PAGE = re.compile(r'hx-get="([^"]+)" hx-trigger="load[,"]')
_page_times: list[float] = []
_steady = {"on": False}


@events.request.add_listener
def _record_page_time(request_type, name, response_time, exception, **kwargs):
    if _steady["on"] and not name.startswith(("fragment:", "/login/")):
        _page_times.append(response_time)


@events.quitting.add_listener
def _write_page_times(environment, **kwargs):
    path = os.environ.get("LOAD_PAGE_TIMES")
    if path:
        with open(path, "w") as handle:
            json.dump(_page_times, handle)


class SignedInUser(FastHttpUser):
    """FastHttpUser (geventhttpclient), not HttpUser (requests): Locust shares the
    machine's two cores with the server it measures, and this client costs a fraction
    of the CPU per request, leaving it to the server."""

    abstract = True
    wait_time = between(0.5, 2.0)
    usernames = None

    def page(self, path, name=None):
        """One page view as a browser makes it: the page, then the fragments it loads
        (htmx sends them with HX-Request)."""
        response = self.client.get(path, name=name or path)
        for fragment in LOADS_AFTER_PAGE.findall(response.text or ""):
            fragment = html.unescape(fragment)
            self.client.get(
                fragment,
                name=f"fragment: {fragment.split('?', 1)[0]}",
                headers={"HX-Request": "true"},
            )

    def on_start(self):
        username = next(self.usernames)
        self.client.get("/login/", name="/login/ (form)")
        token = next(
            (cookie.value for cookie in self.client.cookiejar if cookie.name == "csrftoken"), ""
        )
        with self.client.post(
            "/login/",
            data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/login/"},
            name="/login/ (sign in)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in as {username} failed: {response.status_code}")
        _signed_in(self.environment)


_sign_ins = {"done": 0}
_sign_ins_lock = threading.Lock()


def _signed_in(environment) -> None:
    """Count a finished sign-in; when the last user has one, record the sign-ins'
    figures and start the steady-state figures afresh."""
    with _sign_ins_lock:
        _sign_ins["done"] += 1
        if _sign_ins["done"] != environment.parsed_options.num_users:
            return
        entry = environment.stats.get("/login/ (sign in)", "POST")
        path = os.environ.get("LOAD_SIGN_IN_STATS")
        if path:
            with open(path, "w") as handle:
                json.dump(
                    {
                        "sign_ins": entry.num_requests,
                        "failures": entry.num_failures,
                        "p50_ms": entry.get_response_time_percentile(0.5),
                        "p95_ms": entry.get_response_time_percentile(0.95),
                    },
                    handle,
                )
        environment.stats.reset_all()
        _page_times.clear()
        _steady["on"] = True


class Employee(SignedInUser):
    weight = 6
    usernames = EMPLOYEES

    @task(4)
    def my_learning(self):
        self.page("/learning/")

    @task(2)
    def matrix(self):
        self.page("/responsibilities/")

    @task(2)
    def fulfilment(self):
        self.page("/responsibilities/fulfilment/")

    @task(1)
    def recognition(self):
        self.page("/learning/recognition/")


class Leader(SignedInUser):
    weight = 3
    usernames = LEADERS

    @task(4)
    def dashboard(self):
        self.page("/dashboard/")

    @task(1)
    def standoff(self):
        self.page("/responsibilities/standoff/")

    @task(1)
    def reviews(self):
        self.page("/learning/reviews/")

    @task(1)
    def fulfilment_overview(self):
        self.page("/responsibilities/fulfilment/")


class Admin(SignedInUser):
    weight = 1
    usernames = ADMINS

    @task(2)
    def pathways(self):
        self.page("/pathways/")

    @task(2)
    def editor(self):
        if PATHWAY_IDS:
            self.page(f"/pathways/{random.choice(PATHWAY_IDS)}/", name="/pathways/<id>/")

    @task(1)
    def dashboard(self):
        self.page("/dashboard/")

    @task(1)
    def audit(self):
        self.page("/audit/")
