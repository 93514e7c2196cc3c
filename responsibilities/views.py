from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from responsibilities import selectors
from upskill.http import HtmxHttpRequest


@require_GET
@login_required
def matrix(request: HtmxHttpRequest):
    """The responsibility matrix, read-only for everyone (editing comes with its own issue)."""
    parties, rows = selectors.responsibility_matrix()
    return render(request, "responsibilities/matrix.html", {"parties": parties, "rows": rows})
