from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from upskill import access


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
