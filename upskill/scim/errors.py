"""The SCIM error (RFC 7644 §3.12) that services, selectors and views raise."""

from __future__ import annotations


class ScimError(Exception):
    """A SCIM error response: status, scimType (RFC 7644 §3.12) and a detail."""

    def __init__(self, status: int, detail: str, scim_type: str | None = None):
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type


def invalid(detail: str, scim_type: str = "invalidValue") -> ScimError:
    return ScimError(400, detail, scim_type)
