"""The xAPI receiver's HTTP side (/xapi/statements, /xapi/about) and the L&D admins'
xAPI mapping page. The statement rules live in metrics.services.xapi."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from metrics import forms, selectors, services
from metrics.models import XapiActivityMapping, XapiKey, XapiVerbMapping
from metrics.services.xapi import SUPPORTED_VERSIONS, about
from metrics.services.xapi.validation import SUPPORTED_VERSION
from upskill.confirmation import confirmation_page, is_confirmed
from upskill.decorators import ld_admin_required
from upskill.forms import form_save
from upskill.http import HtmxHttpRequest
from upskill.paging import page_of

VERSION_HEADER = "X-Experience-API-Version"
CORS_HEADERS = "Authorization, Content-Type, X-Experience-API-Version"
CORS_EXPOSED = "X-Experience-API-Version, X-Experience-API-Consistent-Through, Last-Modified"
GET_PARAMETERS = {"statementId", "voidedStatementId", "attachments", "format"}


def _json(payload, status: int = 200) -> JsonResponse:
    return JsonResponse(payload, status=status, safe=False)


def _error(message: str, status: int) -> JsonResponse:
    return _json({"error": message}, status)


def _cors(request: HttpRequest, response: HttpResponse, methods: str) -> None:
    origin = request.headers.get("Origin")
    allowed = settings.XAPI_CORS_ALLOWED_ORIGINS
    if origin and ("*" in allowed or origin in allowed):
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Methods"] = methods
        response["Access-Control-Allow-Headers"] = CORS_HEADERS
        response["Access-Control-Expose-Headers"] = CORS_EXPOSED
        response["Access-Control-Max-Age"] = "600"
    response["Vary"] = "Origin"


def xapi_resource(methods: tuple[str, ...], *, needs_key: bool = True):
    """An xAPI resource: a CORS preflight is answered; otherwise the API key is checked
    (401), then the X-Experience-API-Version header (400 if absent or not 1.0.x), then
    the method (405). Every response carries the version header and CORS headers."""
    allowed = ", ".join((*methods, "OPTIONS"))

    def decorate(view: Callable) -> Callable:
        @csrf_exempt  # machine clients with an API key, not a browser session
        @wraps(view)
        def resource(request: HttpRequest, *args, **kwargs):
            response = _checked(request, view, methods, needs_key, args, kwargs)
            response[VERSION_HEADER] = SUPPORTED_VERSIONS[0]
            _cors(request, response, allowed)
            return response

        return resource

    return decorate


def _checked(request, view, methods, needs_key, args, kwargs) -> HttpResponse:
    if request.method == "OPTIONS":
        return HttpResponse(status=204)
    xapi_key = None
    if needs_key:
        xapi_key = services.xapi_key_authenticate(
            authorization=request.headers.get("Authorization", "")
        )
        if xapi_key is None:
            response = _error("A valid API key is required: Authorization: Bearer <key>.", 401)
            response["WWW-Authenticate"] = 'Bearer realm="xapi", Basic realm="xapi"'
            return response
        version = request.headers.get(VERSION_HEADER)
        if version is None:
            return _error(
                f"The {VERSION_HEADER} header is required (this LRS speaks "
                f"{', '.join(SUPPORTED_VERSIONS)}).",
                400,
            )
        if not SUPPORTED_VERSION.fullmatch(version.strip()):
            return _error(
                f"{VERSION_HEADER} {version[:20]!r} is not supported; send one of "
                f"{', '.join(SUPPORTED_VERSIONS)}.",
                400,
            )
    if request.method not in methods:
        response = _error(f"{request.method} is not allowed here.", 405)
        response["Allow"] = ", ".join((*methods, "OPTIONS"))
        return response
    return view(request, xapi_key, *args, **kwargs)


def _body(request: HttpRequest) -> bytes | JsonResponse:
    """The body, read at most one byte over the limit whatever Content-Length claimed."""
    limit = settings.XAPI_MAX_BODY_BYTES
    too_large = _error(f"The body is over {limit:,} bytes; send fewer statements per request.", 413)
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return too_large
    body = request.read(limit + 1)
    return too_large if len(body) > limit else body


@xapi_resource(("GET", "POST", "PUT"))
def xapi_statements(request: HttpRequest, xapi_key: XapiKey):
    """POST one statement or an array (200, their ids), PUT ?statementId= (204), GET
    ?statementId= or ?voidedStatementId= for statements this key sent."""
    if request.method == "GET":
        return _statement_read(request, xapi_key)
    statement_id = request.GET.get("statementId")
    if request.method == "PUT" and not statement_id:
        return _error("A PUT needs the statementId parameter.", 400)
    if request.method == "POST" and request.GET:
        return _error(
            "POST takes no parameters; PUT a statement with ?statementId=, "
            "or POST statements without one.",
            400,
        )
    if request.content_type.startswith("multipart/"):
        return _error(
            "Attachments sent as multipart/mixed are not accepted; give each attachment a "
            "fileUrl and send the statements as application/json.",
            400,
        )
    body = _body(request)
    if isinstance(body, HttpResponse):
        return body
    try:
        statements = services.statements_decode(body=body, single=request.method == "PUT")
        result = services.statements_store(
            xapi_key=xapi_key, statements=statements, statement_id=statement_id
        )
    except services.StatementConflict as exc:
        return _error(exc.messages[0], 409)
    except services.StatementsRejected as exc:
        return _error(exc.messages[0], 400)
    if request.method == "PUT":
        return HttpResponse(status=204)
    return _json(result.ids)


def _statement_read(request: HttpRequest, xapi_key: XapiKey) -> HttpResponse:
    unknown = sorted(set(request.GET) - GET_PARAMETERS)
    statement_id = request.GET.get("statementId")
    voided_id = request.GET.get("voidedStatementId")
    if unknown and (statement_id or voided_id):
        return _error(
            f"With statementId or voidedStatementId only attachments and format may be "
            f"given, not {', '.join(unknown)}.",
            400,
        )
    if bool(statement_id) == bool(voided_id):
        return _error(
            "Upskill returns single statements: give statementId or voidedStatementId "
            "(one of them). It does not answer statement queries.",
            400,
        )
    statement = services.statement_get(
        xapi_key=xapi_key, statement_id=statement_id or voided_id, voided=bool(voided_id)
    )
    if statement is None:
        return _error("No such statement was sent with this key.", 404)
    response = _json(statement)
    response["X-Experience-API-Consistent-Through"] = statement["stored"]
    return response


@xapi_resource(("GET",), needs_key=False)
def xapi_about(request: HttpRequest, _xapi_key: None):
    """The xAPI versions this receiver speaks (no key, no version header needed)."""
    return _json(about())


# --- The mapping page (L&D admins) --------------------------------------------------------


def _mapping_page(request: HtmxHttpRequest, *, verb_form=None, activity_form=None, status=200):
    return render(
        request,
        "metrics/xapi/xapi_mapping.html",
        {
            "verb_form": verb_form or forms.XapiVerbMappingForm(),
            "activity_form": activity_form or forms.XapiActivityMappingForm(),
            "verb_mappings": selectors.xapi_verb_mappings(),
            "activity_mappings": selectors.xapi_activity_mappings(),
            "report": selectors.xapi_report(),
            "step_iri_prefix": settings.XAPI_STEP_IRI_PREFIX,
            "account_name_field": settings.XAPI_ACCOUNT_NAME_FIELD,
            "statements_url": request.build_absolute_uri(reverse("metrics:xapi_statements")),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@ld_admin_required
def xapi_mapping(request: HtmxHttpRequest):
    """Which verbs count as which activity, which foreign activity ids are which steps,
    and how many stored statements are not counted and why."""
    if request.method == "GET":
        return _mapping_page(request)
    if "verb_iri" in request.POST:
        form = forms.XapiVerbMappingForm(request.POST)
        if form_save(form, lambda data: services.xapi_verb_mapping_set(**data)):
            messages.success(request, f"Statements with {form.cleaned_data['verb_iri']} now count.")
            return redirect("metrics:xapi_mapping")
        return _mapping_page(request, verb_form=form, status=400)
    form = forms.XapiActivityMappingForm(request.POST)
    if form_save(form, lambda data: services.xapi_activity_mapping_set(**data)):
        messages.success(request, f"{form.cleaned_data['activity_iri']} is now a step.")
        return redirect("metrics:xapi_mapping")
    return _mapping_page(request, activity_form=form, status=400)


@require_POST
@ld_admin_required
def xapi_verb_mapping_delete(request: HtmxHttpRequest, pk: int):
    mapping = services.xapi_verb_mapping_delete(mapping=get_object_or_404(XapiVerbMapping, pk=pk))
    messages.success(request, f"Statements with {mapping.verb_iri} no longer count.")
    return redirect("metrics:xapi_mapping")


@require_POST
@ld_admin_required
def xapi_activity_mapping_delete(request: HtmxHttpRequest, pk: int):
    mapping = services.xapi_activity_mapping_delete(
        mapping=get_object_or_404(XapiActivityMapping, pk=pk)
    )
    messages.success(request, f"{mapping.activity_iri} is no longer mapped to a step.")
    return redirect("metrics:xapi_mapping")


@require_http_methods(["GET", "POST"])
@ld_admin_required
def xapi_keys(request: HtmxHttpRequest):
    """API keys for the xAPI endpoint. A new key is shown on this response only: the
    database keeps its hash."""
    form = forms.XapiKeyForm()
    created = None
    status = 200
    if request.method == "POST":
        form = forms.XapiKeyForm(request.POST)
        if form.is_valid():
            try:
                created = services.xapi_key_create(
                    name=form.cleaned_data["name"], created_by=request.user
                )
            except ValidationError as exc:
                form.add_error("name", exc)
                status = 400
            else:
                form = forms.XapiKeyForm()
        else:
            status = 400
    response = render(
        request,
        "metrics/xapi/xapi_keys.html",
        {
            "form": form,
            "created": created,
            "xapi_keys": page_of(
                selectors.xapi_keys(), request, per_page=selectors.CREDENTIALS_PER_PAGE
            ),
            "statements_url": request.build_absolute_uri(reverse("metrics:xapi_statements")),
            "step_iri_prefix": settings.XAPI_STEP_IRI_PREFIX,
        },
        status=status,
    )
    if created:
        response["Cache-Control"] = "no-store"  # the key must not linger in a cache
    return response


@require_POST
@ld_admin_required
def xapi_key_revoke(request: HtmxHttpRequest, pk: int):
    xapi_key = get_object_or_404(XapiKey, pk=pk)
    if not is_confirmed(request):
        return confirmation_page(
            request, "metrics:xapi_key_revoke", xapi_key, cancel_url=reverse("metrics:xapi_keys")
        )
    xapi_key = services.xapi_key_revoke(xapi_key=xapi_key)
    messages.success(request, f"Key “{xapi_key.name}” is revoked; requests using it now get 401.")
    return redirect("metrics:xapi_keys")
