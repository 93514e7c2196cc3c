from django.shortcuts import render
from django.views.decorators.http import require_GET

from pathways import selectors
from upskill import access
from upskill.decorators import ld_admin_required, person_required
from upskill.http import HtmxHttpRequest


@require_GET
@ld_admin_required
def pathway_list(request: HtmxHttpRequest):
    return render(
        request, "pathways/pathway_list.html", {"pathways": selectors.pathway_list_with_counts()}
    )


@require_GET
@person_required
def my_learning(request: HtmxHttpRequest):
    person = access.person_of(request.user)
    return render(
        request,
        "pathways/my_learning.html",
        {"person": person, "enrollments": selectors.enrollments_for_person(person)},
    )
