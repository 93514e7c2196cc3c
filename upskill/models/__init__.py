"""The core app's models, by area: the organisation, identity (provisioning and sign-in),
notifications, the generations of the cached figures' inputs (figures). Every public
name is re-exported here, as in every app."""

from upskill.models.figures import FigureInput
from upskill.models.identity import (
    AccessDenial,
    HrSyncRun,
    IdentityLink,
    ScimConnection,
    SignInEvent,
)
from upskill.models.notifications import (
    Notification,
    NotificationPreference,
    TeamChatPost,
    TeamChatWebhook,
)
from upskill.models.organisation import (
    EXTERNAL_KEY_LENGTH,
    UNKEYED_PREFIX,
    JobRole,
    OutcomeMeasure,
    Person,
    Team,
    unkeyed_id,
)

__all__ = [
    "EXTERNAL_KEY_LENGTH",
    "UNKEYED_PREFIX",
    "AccessDenial",
    "FigureInput",
    "HrSyncRun",
    "IdentityLink",
    "JobRole",
    "Notification",
    "NotificationPreference",
    "OutcomeMeasure",
    "Person",
    "ScimConnection",
    "SignInEvent",
    "Team",
    "TeamChatPost",
    "TeamChatWebhook",
    "unkeyed_id",
]
