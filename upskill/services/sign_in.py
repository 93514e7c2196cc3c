"""Single sign-on: matching a verified OpenID Connect identity to a provisioned person
(the stored `sub` link first, then the configured claim), and the sign-in audit trail."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import FieldError
from django.db import transaction

from upskill.access import LD_ADMINS_GROUP
from upskill.models import IdentityLink, SignInEvent
from upskill.oidc import SignInRefused


def sign_in_event_record(
    *,
    kind: str,
    user=None,
    identity: str = "",
    reason: str = "",
    remote_addr: str | None = None,
) -> SignInEvent:
    """One line of the single sign-on audit trail (never a token, code or secret)."""
    field_length = SignInEvent._meta.get_field
    return SignInEvent.objects.create(
        kind=kind,
        user=user if user is not None and user.is_authenticated else None,
        identity=identity[: field_length("identity").max_length],
        reason=reason[: field_length("reason").max_length],
        remote_addr=remote_addr or None,
    )


def _claim_text(claims: dict, name: str) -> str:
    value = claims.get(name)
    return value.strip() if isinstance(value, str) else ""


def _identity_of(claims: dict) -> str:
    """How the audit trail names who tried: the match claim, else email, else `sub`."""
    for name in (settings.OIDC_MATCH_CLAIM, "email"):
        if value := _claim_text(claims, name):
            return f"{name} {value}"
    return f"sub {claims.get('sub', '')}"


def _person_match(claims: dict):
    """The one provisioned user the token's match claim names, or None for nobody.

    The claim is compared with OIDC_MATCH_FIELD (ignoring case for an email); with
    OIDC_MATCH_EMAIL_FALLBACK a token without the claim is matched on its email, unless
    the provider says the email is unverified."""
    identity = _identity_of(claims)
    field, value = settings.OIDC_MATCH_FIELD, _claim_text(claims, settings.OIDC_MATCH_CLAIM)
    if not value and settings.OIDC_MATCH_EMAIL_FALLBACK:
        field, value = "email", _claim_text(claims, "email")
    if not value:
        raise SignInRefused(
            f"the identity provider sent no {settings.OIDC_MATCH_CLAIM} claim to match",
            identity=identity,
        )
    if field.endswith("email"):
        if claims.get("email_verified") is False:
            raise SignInRefused(
                "the identity provider has not verified this email", identity=identity
            )
        field = f"{field}__iexact"
    try:
        users = list(get_user_model().objects.filter(**{field: value})[:2])
    except FieldError as exc:
        raise SignInRefused(
            f"Upskill's OIDC_MATCH_FIELD ({settings.OIDC_MATCH_FIELD}) names no field",
            identity=identity,
        ) from exc
    if len(users) > 1:
        raise SignInRefused("more than one person matches this identity", identity=identity)
    return users[0] if users else None


def _user_create(claims: dict):
    """An account for someone the HR system has not provisioned (OIDC_CREATE_UNKNOWN):
    a user without a team or role until HR sync or SCIM gives them one."""
    User = get_user_model()
    username_length = User._meta.get_field("username").max_length
    base = (
        _claim_text(claims, "preferred_username")
        or _claim_text(claims, "email")
        or f"sso-{claims['sub']}"
    )[: username_length - 4]
    username, suffix = base, 1
    while User.objects.filter(username__iexact=username).exists():
        suffix += 1
        username = f"{base}-{suffix}"
    return User.objects.create_user(
        username=username,
        email=_claim_text(claims, "email"),
        first_name=_claim_text(claims, "given_name")[:150],
        last_name=_claim_text(claims, "family_name")[:150],
    )


def _ld_admin_membership_apply(user, claims: dict) -> None:
    """OIDC_ADMIN_GROUPS (default: SCIM_LD_ADMIN_GROUP): membership of any of them makes
    an L&D admin, none removes it — only when the token carries the group claim at all
    (absent is not "no groups"). Names compare ignoring case, as SCIM's group name does."""
    groups = claims.get(settings.OIDC_GROUPS_CLAIM)
    if not isinstance(groups, list):
        return
    # By default the one group SCIM maps to the role: the same mapping either way.
    admin_groups = settings.OIDC_ADMIN_GROUPS or [settings.SCIM_LD_ADMIN_GROUP]
    ld_admins = Group.objects.filter(name=LD_ADMINS_GROUP).first()
    if ld_admins is None:
        return
    wanted = {name.strip().lower() for name in admin_groups}
    if wanted & {str(group).strip().lower() for group in groups}:
        user.groups.add(ld_admins)
    else:
        user.groups.remove(ld_admins)


@transaction.atomic
def identity_sign_in(*, issuer: str, claims: dict):
    """The user a verified ID token (plus userinfo) signs in, or SignInRefused.

    Matched first on the stored (issuer, sub) link; the first time, on the configured
    claim, and the link stored. Nobody is created for an unknown person unless
    OIDC_CREATE_UNKNOWN; a deactivated person (a leaver) is refused. On refusal nothing
    is written (the transaction rolls back)."""
    subject = claims.get("sub")
    identity = _identity_of(claims)
    if not isinstance(subject, str) or not subject:
        raise SignInRefused("the ID token names no subject", identity=identity)
    link = IdentityLink.objects.select_related("user").filter(issuer=issuer, subject=subject)
    link = link.first()
    if link is not None:
        user = link.user
    else:
        user = _person_match(claims)
        if user is None and not settings.OIDC_CREATE_UNKNOWN:
            raise SignInRefused(
                "nobody with this identity has been provisioned in Upskill", identity=identity
            )
        if user is not None and IdentityLink.objects.filter(user=user, issuer=issuer).exists():
            raise SignInRefused(
                "this person is already linked to a different identity at the provider",
                identity=identity,
            )
        if user is not None and not user.is_active:
            raise SignInRefused("this person has left or been deactivated", identity=identity)
        user = user or _user_create(claims)
        IdentityLink.objects.create(user=user, issuer=issuer, subject=subject)
        sign_in_event_record(kind=SignInEvent.Kind.LINKED, user=user, identity=identity)
    if not user.is_active:
        raise SignInRefused("this person has left or been deactivated", identity=identity)
    _ld_admin_membership_apply(user, claims)
    return user
