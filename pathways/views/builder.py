"""The pathway builder: L&D admins design and run pathways."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from pathways import selectors
from upskill.decorators import ld_admin_required
from upskill.http import HtmxHttpRequest


@require_GET
@ld_admin_required
def pathway_list(request: HtmxHttpRequest):
    return render(
        request, "pathways/pathway_list.html", {"pathways": selectors.pathway_list_with_counts()}
    )
