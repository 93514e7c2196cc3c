"""The learner's side: my learning, steps, evidence and its review."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from pathways import selectors
from upskill import access
from upskill.decorators import person_required
from upskill.http import HtmxHttpRequest


@require_GET
@person_required
def my_learning(request: HtmxHttpRequest):
    person = access.person_of(request.user)
    return render(
        request,
        "pathways/my_learning.html",
        {"person": person, "enrollments": selectors.enrollments_for_person(person)},
    )
