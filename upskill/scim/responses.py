"""SCIM responses: JSON as application/scim+json, error bodies (RFC 7644 §3.12), list
responses (§3.4.2) and the absolute location of a resource."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

CONTENT_TYPE = "application/scim+json"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


def scim_response(body: dict, status: int = 200, **headers) -> HttpResponse:
    response = HttpResponse(json.dumps(body), status=status, content_type=CONTENT_TYPE)
    for name, value in headers.items():
        response[name] = value
    return response


def scim_error_response(
    status: int, detail: str, scim_type: str | None = None, **headers
) -> HttpResponse:
    body = {"schemas": [ERROR_SCHEMA], "status": str(status), "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    return scim_response(body, status, **headers)


def list_response(items: list[dict], *, total: int | None = None, start: int = 1) -> dict:
    return {
        "schemas": [LIST_SCHEMA],
        "totalResults": len(items) if total is None else total,
        "startIndex": start,
        "itemsPerPage": len(items),
        "Resources": items,
    }


def resource_location(request: HttpRequest, name: str, pk: str) -> str:
    return request.build_absolute_uri(reverse(name, kwargs={"pk": pk}))
