"""The SCIM 2.0 service provider at /scim/v2/ (RFC 7643/7644).

Authentication is a bearer token per identity-provider connection and nothing else: the
session cookie is never read (no request.user, no CSRF: it is not a browser endpoint),
so a signed-in L&D admin without a token gets 401 like anyone. Every error is SCIM
error JSON with the RFC's status and scimType; nothing a client sends gives a 500.

The discovery documents come from scim2-models (the User, EnterpriseUser and Group
schemas it ships), cut down to the attributes Upskill stores, so a client — and the
scim2-tester conformance run in tests/upskill/test_scim_conformance.py — only tries
what is declared.
"""

from __future__ import annotations

import json
import logging
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    EnterpriseUser,
    ETag,
    Filter,
    Group,
    Mutability,
    Patch,
    Required,
    ResourceType,
    Returned,
    SchemaExtension,
    ServiceProviderConfig,
    Sort,
    User,
)

from upskill import selectors
from upskill.services import scim as scim_services
from upskill.services.scim import ENTERPRISE, LD_ADMIN_GROUP_ID, ScimError

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/scim+json"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"

# What Upskill stores, per schema: attribute -> sub-attributes (None: simple), and which
# of them a client may not write.
USER_ATTRIBUTES = {
    "userName": None,
    "name": ("givenName", "familyName"),
    "displayName": None,
    "title": None,
    "active": None,
    "emails": ("value",),
}
ENTERPRISE_ATTRIBUTES = {
    "employeeNumber": None,
    "department": None,
    "manager": ("value", "$ref"),
}
GROUP_ATTRIBUTES = {"displayName": None, "members": ("value", "$ref", "type")}
READ_ONLY = {"displayName@User", "employeeNumber", "department"}
# Set by Upskill from the person's key and team: shown when asked for (`attributes=`).
RETURNED_ON_REQUEST = {"employeeNumber", "department"}
# Every person has one.
ALWAYS_SET = {"active"}


def _json(body: dict, status: int = 200, **headers) -> HttpResponse:
    response = HttpResponse(json.dumps(body), status=status, content_type=CONTENT_TYPE)
    for name, value in headers.items():
        response[name] = value
    return response


def _error(status: int, detail: str, scim_type: str | None = None, **headers) -> HttpResponse:
    body = {"schemas": [ERROR_SCHEMA], "status": str(status), "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    return _json(body, status, **headers)


def read_only(view):
    view.scim_read_only = True
    return view


def scim_endpoint(view):
    """Token authentication, body decoding and SCIM errors around a SCIM view."""

    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        connection = scim_services.scim_connection_authenticate(
            authorization=request.headers.get("Authorization", "")
        )
        if connection is None:
            return _error(
                401,
                "A valid bearer token is required (Authorization: Bearer <token>).",
                **{"WWW-Authenticate": 'Bearer realm="scim"'},
            )
        if getattr(view, "scim_read_only", False) and request.method != "GET":
            return _error(405, f"{request.method} is not supported here; this is read-only.")
        body = None
        if request.method in ("POST", "PUT", "PATCH"):
            length = int(request.headers.get("Content-Length") or 0)
            if length > settings.SCIM_MAX_BODY_BYTES:
                return _error(413, f"The body is over {settings.SCIM_MAX_BODY_BYTES:,} bytes.")
            try:
                body = json.loads(request.body or b"null")
            except (ValueError, UnicodeDecodeError):
                return _error(400, "The body is not JSON.", "invalidSyntax")
            if not isinstance(body, dict):
                return _error(400, "The body must be a JSON object.", "invalidSyntax")
        try:
            return view(request, connection, body, *args, **kwargs)
        except ScimError as exc:
            return _error(exc.status, exc.detail, exc.scim_type)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            logger.info("SCIM request refused: %s", exc)
            return _error(400, "The request could not be read.", "invalidSyntax")

    return wrapped


def _location(request: HttpRequest, name: str, pk: str) -> str:
    return request.build_absolute_uri(reverse(name, kwargs={"pk": pk}))


# --- Discovery --------------------------------------------------------------------------


def _cut(schema, keep: dict, *, resource: str):
    attributes = []
    for attribute in schema.attributes:
        if attribute.name not in keep:
            continue
        subs = keep[attribute.name]
        if subs is not None and attribute.sub_attributes:
            attribute = attribute.model_copy(
                update={"sub_attributes": [s for s in attribute.sub_attributes if s.name in subs]}
            )
        if attribute.name in READ_ONLY or f"{attribute.name}@{resource}" in READ_ONLY:
            attribute = attribute.model_copy(update={"mutability": Mutability.read_only})
        if attribute.name in RETURNED_ON_REQUEST:
            attribute = attribute.model_copy(update={"returned": Returned.request})
        if attribute.name in ALWAYS_SET:
            attribute = attribute.model_copy(update={"required": Required.true})
        attributes.append(attribute)
    return schema.model_copy(update={"attributes": attributes})


def _schemas(request: HttpRequest) -> list[dict]:
    documents = [
        _cut(User.to_schema(), USER_ATTRIBUTES, resource="User"),
        _cut(EnterpriseUser.to_schema(), ENTERPRISE_ATTRIBUTES, resource="EnterpriseUser"),
        _cut(Group.to_schema(), GROUP_ATTRIBUTES, resource="Group"),
    ]
    result = []
    for document in documents:
        body = document.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
        body["meta"] = {
            "resourceType": "Schema",
            "location": _location(request, "scim:schema", document.id),
        }
        result.append(body)
    return result


def _resource_types(request: HttpRequest) -> list[dict]:
    types = [
        ResourceType(
            id="User",
            name="User",
            description="People: employees provisioned by the identity provider",
            endpoint="/Users",
            schema_="urn:ietf:params:scim:schemas:core:2.0:User",
            schema_extensions=[SchemaExtension(schema_=ENTERPRISE, required=False)],
        ),
        ResourceType(
            id="Group",
            name="Group",
            description="Teams, and the L&D admins access group",
            endpoint="/Groups",
            schema_="urn:ietf:params:scim:schemas:core:2.0:Group",
        ),
    ]
    result = []
    for resource_type in types:
        body = resource_type.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
        body["meta"] = {
            "resourceType": "ResourceType",
            "location": _location(request, "scim:resource_type", resource_type.id),
        }
        result.append(body)
    return result


def _list(items: list[dict], *, total: int | None = None, start: int = 1) -> dict:
    return {
        "schemas": [LIST_SCHEMA],
        "totalResults": len(items) if total is None else total,
        "startIndex": start,
        "itemsPerPage": len(items),
        "Resources": items,
    }


def _read_only(request: HttpRequest) -> HttpResponse | None:
    if request.method != "GET":
        return _error(405, f"{request.method} is not supported here.")
    return None


@scim_endpoint
@read_only
def service_provider_config(request, connection, body):
    if refused := _read_only(request):
        return refused
    config = ServiceProviderConfig(
        documentation_uri="https://github.com/upskill/upskill#scim-20-provisioning",
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=settings.SCIM_MAX_PAGE_SIZE),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[
            AuthenticationScheme(
                type="oauthbearertoken",
                name="Bearer token",
                description="A token created on the Organisation page or with "
                "`manage.py scim_token_create NAME`.",
                primary=True,
            )
        ],
    )
    document = config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    document["meta"] = {
        "resourceType": "ServiceProviderConfig",
        "location": request.build_absolute_uri(reverse("scim:service_provider_config")),
    }
    return _json(document)


@scim_endpoint
@read_only
def schemas(request, connection, body):
    if refused := _read_only(request):
        return refused
    return _json(_list(_schemas(request)))


@scim_endpoint
@read_only
def schema(request, connection, body, pk: str):
    if refused := _read_only(request):
        return refused
    for document in _schemas(request):
        if document["id"] == pk:
            return _json(document)
    return _error(404, f"Schema {pk} not found.")


@scim_endpoint
@read_only
def resource_types(request, connection, body):
    if refused := _read_only(request):
        return refused
    return _json(_list(_resource_types(request)))


@scim_endpoint
@read_only
def resource_type(request, connection, body, pk: str):
    if refused := _read_only(request):
        return refused
    for document in _resource_types(request):
        if document["id"] == pk:
            return _json(document)
    return _error(404, f"Resource type {pk} not found.")


# --- Users ------------------------------------------------------------------------------


def _project(request, document: dict, *, requested: dict | None = None) -> dict:
    """RFC 7644 §3.9 `attributes` / `excludedAttributes` (top-level and extension
    attributes); id, schemas and meta are always returned."""
    source = requested if requested is not None else request.GET
    wanted = [a.strip() for a in str(source.get("attributes") or "").split(",") if a.strip()]
    excluded = [
        a.strip().lower()
        for a in str(source.get("excludedAttributes") or "").split(",")
        if a.strip()
    ]
    extension = document.get(ENTERPRISE)
    if isinstance(extension, dict):
        named = {a.lower().rsplit(":", 1)[-1] for a in wanted}
        for name in list(RETURNED_ON_REQUEST):
            if name.lower() not in named:
                extension.pop(name, None)
        if not extension:
            document.pop(ENTERPRISE)
            document["schemas"] = [s for s in document["schemas"] if s != ENTERPRISE]
    if wanted:
        keep = {a.split(".")[0].lower() for a in wanted} | {"id", "schemas", "meta"}
        keep |= {ENTERPRISE.lower()} if any(":" in a for a in wanted) else set()
        document = {k: v for k, v in document.items() if k.lower() in keep}
    for name in excluded:
        if name not in ("id", "schemas", "meta"):
            document = {k: v for k, v in document.items() if k.lower() != name}
    return document


def _user(request, person, *, requested: dict | None = None) -> dict:
    body = scim_services.user_representation(
        person,
        location=_location(request, "scim:user", str(person.pk)),
        manager_location=(
            _location(request, "scim:user", str(person.manager_id)) if person.manager_id else ""
        ),
    )
    if "emails" in body:
        body["emails"] = [{"value": email["value"]} for email in body["emails"]]
    return _project(request, body, requested=requested)


@scim_endpoint
def users(request, connection, body):
    if request.method == "GET":
        page = selectors.scim_users_page(
            filter_text=request.GET.get("filter"),
            start_index=request.GET.get("startIndex"),
            count=request.GET.get("count"),
        )
        return _json(
            _list([_user(request, p) for p in page.items], total=page.total, start=page.start_index)
        )
    if request.method == "POST":
        person = scim_services.scim_user_create(connection=connection, body=body)
        document = _user(request, selectors.scim_user_get(str(person.pk)))
        return _json(document, 201, Location=document["meta"]["location"])
    return _error(405, f"{request.method} is not supported on /Users.")


@scim_endpoint
def user(request, connection, body, pk: str):
    person = selectors.scim_user_get(pk)
    if request.method == "GET":
        return _json(_user(request, person))
    if request.method == "PUT":
        scim_services.scim_user_replace(connection=connection, person=person, body=body)
    elif request.method == "PATCH":
        scim_services.scim_user_patch(connection=connection, person=person, body=body)
    elif request.method == "DELETE":
        scim_services.scim_user_delete(connection=connection, person=person)
        return HttpResponse(status=204)
    else:
        return _error(405, f"{request.method} is not supported on a User.")
    return _json(_user(request, selectors.scim_user_get(pk)))


# --- Groups -----------------------------------------------------------------------------


def _groups(request, teams: list, *, members: bool) -> list[dict]:
    team_ids = [team.pk for team in teams if team is not None]
    has_admins = any(team is None for team in teams)
    member_map = selectors.scim_group_members(team_ids, ld_admins=has_admins) if members else {}
    documents = []
    for team in teams:
        group_id = LD_ADMIN_GROUP_ID if team is None else str(team.pk)
        document = scim_services.group_representation(
            group_id=group_id,
            name=settings.SCIM_LD_ADMIN_GROUP if team is None else team.name,
            external_id=None if team is None else team.external_id,
            members=[
                {**m, "$ref": _location(request, "scim:user", m["value"]), "type": "User"}
                for m in member_map.get(LD_ADMIN_GROUP_ID if team is None else team.pk, [])
            ],
            location=_location(request, "scim:group", group_id),
        )
        if not members:
            document.pop("members")
        documents.append(_project(request, document))
    return documents


def _wants_members(request) -> bool:
    excluded = request.GET.get("excludedAttributes", "").lower().split(",")
    return "members" not in [name.strip() for name in excluded]


@scim_endpoint
def groups(request, connection, body):
    if request.method == "GET":
        page = selectors.scim_groups_page(
            filter_text=request.GET.get("filter"),
            start_index=request.GET.get("startIndex"),
            count=request.GET.get("count"),
        )
        documents = _groups(request, page.items, members=_wants_members(request))
        return _json(_list(documents, total=page.total, start=page.start_index))
    if request.method == "POST":
        team = scim_services.scim_group_create(connection=connection, body=body)
        document = _groups(request, [team], members=True)[0]
        return _json(document, 201, Location=document["meta"]["location"])
    return _error(405, f"{request.method} is not supported on /Groups.")


@scim_endpoint
def group(request, connection, body, pk: str):
    team = selectors.scim_team_get(pk)
    if request.method == "GET":
        return _json(_groups(request, [team], members=_wants_members(request))[0])
    if request.method == "PUT":
        team = scim_services.scim_group_replace(connection=connection, team=team, body=body)
    elif request.method == "PATCH":
        representation = _groups(request, [team], members=True)[0]
        team = scim_services.scim_group_patch(
            connection=connection, team=team, representation=representation, body=body
        )
        if request.headers.get("Prefer", "") == "return=minimal":
            return HttpResponse(status=204)
    elif request.method == "DELETE":
        scim_services.scim_group_delete(connection=connection, team=team)
        return HttpResponse(status=204)
    else:
        return _error(405, f"{request.method} is not supported on a Group.")
    return _json(_groups(request, [selectors.scim_team_get(pk)], members=True)[0])


def _search_parameters(body: dict) -> dict:
    lookup = {key.lower(): value for key, value in (body or {}).items()}
    return {
        "filter_text": lookup.get("filter"),
        "start_index": lookup.get("startindex"),
        "count": lookup.get("count"),
    }


@scim_endpoint
def users_search(request, connection, body):
    if request.method != "POST":
        return _error(405, "Search with POST.")
    page = selectors.scim_users_page(**_search_parameters(body))
    requested = _requested(body)
    return _json(
        _list(
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
def root_search(request, connection, body):
    """POST /.search across resource types: the users the filter matches (a filter on
    a group attribute such as displayName searches the groups instead)."""
    if request.method != "POST":
        return _error(405, "Search with POST.")
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
    return _json(_list(items, total=total, start=start))


@scim_endpoint
def groups_search(request, connection, body):
    if request.method != "POST":
        return _error(405, "Search with POST.")
    page = selectors.scim_groups_page(**_search_parameters(body))
    excluded = [str(name).lower() for name in (body or {}).get("excludedAttributes") or []]
    documents = _groups(request, page.items, members="members" not in excluded)
    return _json(_list(documents, total=page.total, start=page.start_index))


@scim_endpoint
def not_found(request, connection, body, rest: str = ""):
    return _error(404, f"There is no SCIM resource at /scim/v2/{rest}.")
