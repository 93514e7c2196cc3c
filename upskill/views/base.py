"""The core pages: home, health, favicon, the audit trail."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from upskill import access
from upskill.audit import KINDS
from upskill.decorators import ld_admin_required
from upskill.forms import AuditFilterForm
from upskill.selectors import audit_page


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each user to the page they came for: build, read or learn."""
    return redirect(access.home_url_name(request.user))


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for the container health check: the database answers a query."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_GET
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico on pages that name no icon (the Django admin's).
    Resolved per request: in production the hashed name exists only after collectstatic."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


@require_GET
@ld_admin_required
def audit_trail(request: HttpRequest) -> HttpResponse:
    """L&D admins browse who changed what, who signed in or failed to, and who was refused."""
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    kind = filters.get("kind") or "changes"
    page, rows = audit_page(
        kind=kind,
        actor=filters.get("actor", ""),
        since=filters.get("since"),
        until=filters.get("until"),
        page_number=request.GET.get("page", 1),
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "upskill/audit.html",
        {
            "form": form,
            "kind": kind,
            "kind_label": KINDS[kind],
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "time_zone": settings.TIME_ZONE,
        },
    )
