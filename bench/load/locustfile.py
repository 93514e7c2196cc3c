"""Locust users for bench/load/run_load.py: employees, leaders and L&D admins of the
demo organisation, each signing in once and then reading their pages.

The user names come from the environment (run_load.py picks them from the database)."""

import itertools
import os
import random

from locust import HttpUser, between, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "upskill-demo")
EMPLOYEES = itertools.cycle(os.environ["LOAD_EMPLOYEES"].split(","))
LEADERS = itertools.cycle(os.environ["LOAD_LEADERS"].split(","))
ADMINS = itertools.cycle(os.environ["LOAD_ADMINS"].split(","))
PATHWAY_IDS = [int(pk) for pk in os.environ.get("LOAD_PATHWAY_IDS", "").split(",") if pk]


class SignedInUser(HttpUser):
    abstract = True
    wait_time = between(0.5, 2.0)
    usernames = None

    def on_start(self):
        username = next(self.usernames)
        self.client.get("/login/", name="/login/ (form)")
        token = self.client.cookies.get("csrftoken", "")
        response = self.client.post(
            "/login/",
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/login/"},
            name="/login/ (sign in)",
            allow_redirects=False,
        )
        if response.status_code != 302:
            response.failure(f"sign-in as {username} failed: {response.status_code}")


class Employee(SignedInUser):
    weight = 6
    usernames = EMPLOYEES

    @task(4)
    def my_learning(self):
        self.client.get("/learning/")

    @task(2)
    def matrix(self):
        self.client.get("/responsibilities/")

    @task(2)
    def fulfilment(self):
        self.client.get("/responsibilities/fulfilment/")

    @task(1)
    def recognition(self):
        self.client.get("/learning/recognition/")


class Leader(SignedInUser):
    weight = 3
    usernames = LEADERS

    @task(4)
    def dashboard(self):
        self.client.get("/dashboard/")

    @task(1)
    def standoff(self):
        self.client.get("/responsibilities/standoff/")

    @task(1)
    def reviews(self):
        self.client.get("/learning/reviews/")

    @task(1)
    def fulfilment_overview(self):
        self.client.get("/responsibilities/fulfilment/")


class Admin(SignedInUser):
    weight = 1
    usernames = ADMINS

    @task(2)
    def pathways(self):
        self.client.get("/pathways/")

    @task(2)
    def editor(self):
        if PATHWAY_IDS:
            self.client.get(f"/pathways/{random.choice(PATHWAY_IDS)}/", name="/pathways/<id>/")

    @task(1)
    def dashboard(self):
        self.client.get("/dashboard/")

    @task(1)
    def audit(self):
        self.client.get("/audit/")
