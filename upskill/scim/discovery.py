"""SCIM discovery (RFC 7644 §4): the service provider configuration, the schemas and
the resource types.

The documents come from scim2-models (the User, EnterpriseUser and Group schemas it
ships), cut down to the attributes Upskill stores, so a client — and the scim2-tester
conformance run in tests/upskill/test_scim_conformance.py — only tries what is declared.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
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

from upskill.scim.representations import (
    ENTERPRISE,
    GROUP_SCHEMA,
    RETURNED_ON_REQUEST,
    USER_SCHEMA,
)
from upskill.scim.responses import resource_location

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
# Every person has one.
ALWAYS_SET = {"active"}


def _document(model, *, resource_type: str, location: str) -> dict:
    body = model.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    body["meta"] = {"resourceType": resource_type, "location": location}
    return body


def service_provider_config_document(request: HttpRequest) -> dict:
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
    location = request.build_absolute_uri(reverse("scim:service_provider_config"))
    return _document(config, resource_type="ServiceProviderConfig", location=location)


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


def schema_documents(request: HttpRequest) -> list[dict]:
    """The User, EnterpriseUser and Group schemas, cut down to what Upskill stores."""
    documents = [
        _cut(User.to_schema(), USER_ATTRIBUTES, resource="User"),
        _cut(EnterpriseUser.to_schema(), ENTERPRISE_ATTRIBUTES, resource="EnterpriseUser"),
        _cut(Group.to_schema(), GROUP_ATTRIBUTES, resource="Group"),
    ]
    return [
        _document(
            document,
            resource_type="Schema",
            location=resource_location(request, "scim:schema", document.id),
        )
        for document in documents
    ]


def resource_type_documents(request: HttpRequest) -> list[dict]:
    types = [
        ResourceType(
            id="User",
            name="User",
            description="People: employees provisioned by the identity provider",
            endpoint="/Users",
            schema_=USER_SCHEMA,
            schema_extensions=[SchemaExtension(schema_=ENTERPRISE, required=False)],
        ),
        ResourceType(
            id="Group",
            name="Group",
            description="Teams, and the L&D admins access group",
            endpoint="/Groups",
            schema_=GROUP_SCHEMA,
        ),
    ]
    return [
        _document(
            resource_type,
            resource_type="ResourceType",
            location=resource_location(request, "scim:resource_type", resource_type.id),
        )
        for resource_type in types
    ]
