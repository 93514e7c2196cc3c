"""The SCIM 2.0 service provider's endpoints at /scim/v2/ (RFC 7643/7644).

Authentication is a bearer token per identity-provider connection and nothing else: the
session cookie is never read (no request.user, no CSRF: it is not a browser endpoint),
so a signed-in L&D admin without a token gets 401 like anyone. Every error is SCIM
error JSON with the RFC's status and scimType; nothing a client sends gives a 500.

The protocol (representations, PATCH, discovery documents, response bodies) is
`upskill.scim`; writes are `upskill.services`, reads `upskill.selectors`.
"""

from __future__ import annotations

import json
import logging
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from upskill import selectors, services
from upskill.scim import (
    LD_ADMIN_GROUP_ID,
    ScimError,
    group_representation,
    list_response,
    representation_project,
    resource_location,
    resource_type_documents,
    schema_documents,
    scim_error_response,
    scim_response,
    service_provider_config_document,
    user_representation,
)

logger = logging.getLogger(__name__)


def read_only(view):
    view.scim_read_only = True
    return view


def scim_endpoint(view):
    """Token authentication, body decoding and SCIM errors around a SCIM view."""

    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        connection = services.scim_connection_authenticate(
            authorization=request.headers.get("Authorization", "")
        )
        if connection is None:
            return scim_error_response(
                401,
                "A valid bearer token is required (Authorization: Bearer <token>).",
                **{"WWW-Authenticate": 'Bearer realm="scim"'},
            )
        if getattr(view, "scim_read_only", False) and request.method != "GET":
            return scim_error_response(
                405, f"{request.method} is not supported here; this is read-only."
            )
        body = None
        if request.method in ("POST", "PUT", "PATCH"):
            length = int(request.headers.get("Content-Length") or 0)
            if length > settings.SCIM_MAX_BODY_BYTES:
                return scim_error_response(
                    413, f"The body is over {settings.SCIM_MAX_BODY_BYTES:,} bytes."
                )
            try:
                body = json.loads(request.body or b"null")
            except (ValueError, UnicodeDecodeError):
                return scim_error_response(400, "The body is not JSON.", "invalidSyntax")
            if not isinstance(body, dict):
                return scim_error_response(400, "The body must be a JSON object.", "invalidSyntax")
        try:
            return view(request, connection, body, *args, **kwargs)
        except ScimError as exc:
            return scim_error_response(exc.status, exc.detail, exc.scim_type)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            logger.info("SCIM request refused: %s", exc)
            return scim_error_response(400, "The request could not be read.", "invalidSyntax")

    return wrapped


# --- Discovery --------------------------------------------------------------------------
# Read-only: scim_endpoint answers anything but GET with 405 before the view runs.


def _document(documents: list[dict], pk: str, what: str) -> HttpResponse:
    for document in documents:
        if document["id"] == pk:
            return scim_response(document)
    return scim_error_response(404, f"{what} {pk} not found.")


@scim_endpoint
@read_only
def scim_service_provider_config(request, connection, body):
    return scim_response(service_provider_config_document(request))


@scim_endpoint
@read_only
def scim_schemas(request, connection, body):
    return scim_response(list_response(schema_documents(request)))


@scim_endpoint
@read_only
def scim_schema(request, connection, body, pk: str):
    return _document(schema_documents(request), pk, "Schema")


@scim_endpoint
@read_only
def scim_resource_types(request, connection, body):
    return scim_response(list_response(resource_type_documents(request)))


@scim_endpoint
@read_only
def scim_resource_type(request, connection, body, pk: str):
    return _document(resource_type_documents(request), pk, "Resource type")


# --- Users ------------------------------------------------------------------------------


def _user(request, person, *, requested: dict | None = None) -> dict:
    body = user_representation(
        person,
        location=resource_location(request, "scim:user", str(person.pk)),
        manager_location=(
            resource_location(request, "scim:user", str(person.manager_id))
            if person.manager_id
            else ""
        ),
    )
    if "emails" in body:
        body["emails"] = [{"value": email["value"]} for email in body["emails"]]
    return representation_project(body, request.GET if requested is None else requested)


@scim_endpoint
def scim_users(request, connection, body):
    if request.method == "GET":
        page = selectors.scim_users_page(
            filter_text=request.GET.get("filter"),
            start_index=request.GET.get("startIndex"),
            count=request.GET.get("count"),
        )
        return scim_response(
            list_response(
                [_user(request, p) for p in page.items], total=page.total, start=page.start_index
            )
        )
    if request.method == "POST":
        person = services.scim_user_create(connection=connection, body=body)
        document = _user(request, selectors.scim_user_get(str(person.pk)))
        return scim_response(document, 201, Location=document["meta"]["location"])
    return scim_error_response(405, f"{request.method} is not supported on /Users.")


@scim_endpoint
def scim_user(request, connection, body, pk: str):
    person = selectors.scim_user_get(pk)
    if request.method == "GET":
        return scim_response(_user(request, person))
    if request.method == "PUT":
        services.scim_user_replace(connection=connection, person=person, body=body)
    elif request.method == "PATCH":
        services.scim_user_patch(connection=connection, person=person, body=body)
    elif request.method == "DELETE":
        services.scim_user_delete(connection=connection, person=person)
        return HttpResponse(status=204)
    else:
        return scim_error_response(405, f"{request.method} is not supported on a User.")
    return scim_response(_user(request, selectors.scim_user_get(pk)))


# --- Groups -----------------------------------------------------------------------------


def _groups(request, teams: list, *, members: bool) -> list[dict]:
    team_ids = [team.pk for team in teams if team is not None]
    has_admins = any(team is None for team in teams)
    member_map = selectors.scim_group_members(team_ids, ld_admins=has_admins) if members else {}
    documents = []
    for team in teams:
        group_id = LD_ADMIN_GROUP_ID if team is None else str(team.pk)
        document = group_representation(
            group_id=group_id,
            name=settings.SCIM_LD_ADMIN_GROUP if team is None else team.name,
            external_id=None if team is None else team.external_id,
            members=[
                {**m, "$ref": resource_location(request, "scim:user", m["value"]), "type": "User"}
                for m in member_map.get(LD_ADMIN_GROUP_ID if team is None else team.pk, [])
            ],
            location=resource_location(request, "scim:group", group_id),
        )
        if not members:
            document.pop("members")
        documents.append(representation_project(document, request.GET))
    return documents


def _wants_members(request) -> bool:
    excluded = request.GET.get("excludedAttributes", "").lower().split(",")
    return "members" not in [name.strip() for name in excluded]


@scim_endpoint
def scim_groups(request, connection, body):
    if request.method == "GET":
        page = selectors.scim_groups_page(
            filter_text=request.GET.get("filter"),
            start_index=request.GET.get("startIndex"),
            count=request.GET.get("count"),
        )
        documents = _groups(request, page.items, members=_wants_members(request))
        return scim_response(list_response(documents, total=page.total, start=page.start_index))
    if request.method == "POST":
        team = services.scim_group_create(connection=connection, body=body)
        document = _groups(request, [team], members=True)[0]
        return scim_response(document, 201, Location=document["meta"]["location"])
    return scim_error_response(405, f"{request.method} is not supported on /Groups.")


@scim_endpoint
def scim_group(request, connection, body, pk: str):
    team = selectors.scim_team_get(pk)
    if request.method == "GET":
        return scim_response(_groups(request, [team], members=_wants_members(request))[0])
    if request.method == "PUT":
        team = services.scim_group_replace(connection=connection, team=team, body=body)
    elif request.method == "PATCH":
        representation = _groups(request, [team], members=True)[0]
        team = services.scim_group_patch(
            connection=connection, team=team, representation=representation, body=body
        )
        if request.headers.get("Prefer", "") == "return=minimal":
            return HttpResponse(status=204)
    elif request.method == "DELETE":
        services.scim_group_delete(connection=connection, team=team)
        return HttpResponse(status=204)
    else:
        return scim_error_response(405, f"{request.method} is not supported on a Group.")
    return scim_response(_groups(request, [selectors.scim_team_get(pk)], members=True)[0])


def _search_parameters(body: dict) -> dict:
    lookup = {key.lower(): value for key, value in (body or {}).items()}
    return {
        "filter_text": lookup.get("filter"),
        "start_index": lookup.get("startindex"),
        "count": lookup.get("count"),
    }


@scim_endpoint
def scim_users_search(request, connection, body):
    if request.method != "POST":
        return scim_error_response(405, "Search with POST.")
    page = selectors.scim_users_page(**_search_parameters(body))
    requested = _requested(body)
    return scim_response(
        list_response(
            [_user(request, p, requested=requested) for p in page.items],
            total=page.total,
            start=page.start_index,
        )
    )


def _requested(body: dict) -> dict:
    lookup = {key.lower(): value for key, value in (body or {}).items()}
    return {
        "attributes": ",".join(lookup.get("attributes") or []),
        "excludedAttributes": ",".join(lookup.get("excludedattributes") or []),
    }


@scim_endpoint
def scim_root_search(request, connection, body):
    """POST /.search across resource types: the users the filter matches (a filter on
    a group attribute such as displayName searches the groups instead)."""
    if request.method != "POST":
        return scim_error_response(405, "Search with POST.")
    parameters = _search_parameters(body)
    items, total, start, errors = [], 0, 1, []
    for search, render in (
        (
            selectors.scim_users_page,
            lambda page: [_user(request, p, requested=_requested(body)) for p in page.items],
        ),
        (
            selectors.scim_groups_page,
            lambda page: _groups(
                request,
                page.items,
                members="members" not in _requested(body)["excludedAttributes"].lower(),
            ),
        ),
    ):
        try:
            page = search(**parameters)
        except ScimError as exc:  # the filter names an attribute this type lacks
            errors.append(exc)
            continue
        items += render(page)
        total += page.total
        start = page.start_index
    if len(errors) == 2:
        raise errors[0]
    return scim_response(list_response(items, total=total, start=start))


@scim_endpoint
def scim_groups_search(request, connection, body):
    if request.method != "POST":
        return scim_error_response(405, "Search with POST.")
    page = selectors.scim_groups_page(**_search_parameters(body))
    excluded = [str(name).lower() for name in (body or {}).get("excludedAttributes") or []]
    documents = _groups(request, page.items, members="members" not in excluded)
    return scim_response(list_response(documents, total=page.total, start=page.start_index))


@scim_endpoint
def scim_not_found(request, connection, body, rest: str = ""):
    return scim_error_response(404, f"There is no SCIM resource at /scim/v2/{rest}.")
