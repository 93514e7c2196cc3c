"""What a valid statement means to Upskill: which person, which step, which kind of
activity. A statement that maps to all three becomes an activity row; one that does not
is still stored, with the reason (an XapiStatement outcome), never refused.

- actor: an Agent by mbox (the person with that email, any case), mbox_sha1sum (the
  SHA-1 of "mailto:<their email>"), or account: when XAPI_ACCOUNT_HOMEPAGES is set the
  account's homePage must be one of them, and its name is matched to the person field
  XAPI_ACCOUNT_NAME_FIELD names ("username" or "email"). openid and Groups are stored,
  not counted.
- verb: the XapiVerbMapping row with exactly that IRI (no suffix matching).
- object: an Activity whose id is in XapiActivityMapping (a foreign id, e.g. a Moodle
  course URL), else XAPI_STEP_IRI_PREFIX + "<pathway-slug>/<step-key>".
- timestamp -> occurred_at (absent: when it was stored); result.duration -> whole
  minutes, at most a day (a longer one is stored, not counted).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.functions import Lower, Trim

from metrics.models import ActivityRecord, XapiActivityMapping, XapiStatement, XapiVerbMapping
from metrics.models.xapi import MAPPED_IRI_MAX
from metrics.services.xapi.validation import IRI, VOIDED, duration_seconds, parse_timestamp
from pathways.models import Pathway, Step
from upskill.models import Person

Outcome = XapiStatement.Outcome
# What counts out of the box (seeded by migration 0009, which keeps its own copy):
# ADL's registry verbs and cmi5's "satisfied", matched exactly.
DEFAULT_VERBS = {
    "http://adlnet.gov/expapi/verbs/attended": "attended",
    "http://adlnet.gov/expapi/verbs/completed": "completed",
    "http://adlnet.gov/expapi/verbs/passed": "completed",
    "https://w3id.org/xapi/adl/verbs/satisfied": "completed",
    "http://adlnet.gov/expapi/verbs/experienced": "practiced",
    "http://id.tincanapi.com/verb/mentored": "coached",
}
ACCOUNT_NAME_FIELDS = {"username": "user__username", "email": "user__email"}
MAX_MINUTES = 1_440


@dataclass(frozen=True)
class Mapped:
    """What one statement became: an activity row (person, team, pathway, step,
    occurred_at, minutes, kind, source_id) or None, with the outcome and its detail."""

    outcome: str
    detail: str = ""
    row: tuple | None = None


def duration_minutes(text: str) -> int:
    """Whole minutes (rounded) in an ISO 8601 duration; ValueError if it is not one."""
    seconds = duration_seconds(text.strip()) if isinstance(text, str) else None
    if seconds is None:
        raise ValueError(f"{text[:40]!r} is not an ISO 8601 duration like PT1H30M")
    return round(seconds / 60)


def _agent_key(actor: dict) -> tuple[str, str] | None:
    """(how, value) naming the person an Agent is, or None for openid and Groups."""
    if actor.get("objectType") == "Group":
        return None
    if "mbox" in actor:
        return ("email", actor["mbox"][len("mailto:") :].strip().lower())
    if "mbox_sha1sum" in actor:
        return ("sha1", actor["mbox_sha1sum"].lower())
    if "account" in actor:
        homepages = settings.XAPI_ACCOUNT_HOMEPAGES
        account = actor["account"]
        if homepages and account["homePage"].rstrip("/") not in {h.rstrip("/") for h in homepages}:
            return ("foreign-account", account["homePage"])
        return ("account", account["name"].strip().lower())
    return None


class Lookups:
    """Everything mapping a batch needs, in a fixed number of queries whatever its size:
    verbs, activity mappings, people, pathways and steps narrowed to the batch."""

    def __init__(self, statements: list[dict]):
        keys = [_agent_key(s["actor"]) for s in statements]
        self.verbs = dict(XapiVerbMapping.objects.values_list("verb_iri", "kind"))
        activity_ids = {
            s["object"]["id"]
            for s in statements
            if s["object"].get("objectType", "Activity") == "Activity"
        }
        self.activities = {
            iri: (pathway_id, step_id)
            for iri, pathway_id, step_id in XapiActivityMapping.objects.filter(
                activity_iri__in=activity_ids
            ).values_list("activity_iri", "step__pathway_id", "step_id")
        }
        self.people = self._people(keys)
        prefix = settings.XAPI_STEP_IRI_PREFIX
        references = {
            tuple(iri[len(prefix) :].split("/", 1))
            for iri in activity_ids - set(self.activities)
            if iri.startswith(prefix) and iri.count("/", len(prefix)) == 1
        }
        pathways = dict(
            Pathway.objects.filter(slug__in={slug for slug, _key in references}).values_list(
                "slug", "id"
            )
        )
        self.steps = {
            (slug, key): (pathway_id, step_id)
            for slug, key, pathway_id, step_id in Step.objects.filter(
                pathway_id__in=pathways.values()
            ).values_list("pathway__slug", "key", "pathway_id", "id")
        }

    @staticmethod
    def _people(keys: list[tuple[str, str] | None]) -> dict[tuple[str, str], tuple | None]:
        """(how, value) -> (person, team), or None when it matches several people."""
        wanted: dict[str, set[str]] = {"email": set(), "account": set()}
        sha1s: set[str] = set()
        for key in keys:
            if key and key[0] in wanted:
                wanted[key[0]].add(key[1])
            elif key and key[0] == "sha1":
                sha1s.add(key[1])
        account_field = ACCOUNT_NAME_FIELDS[settings.XAPI_ACCOUNT_NAME_FIELD]
        people = Person.objects.annotate(
            email_key=Lower(Trim("user__email")), account_key=Lower(Trim(account_field))
        )
        condition = Q(email_key__in=wanted["email"]) | Q(account_key__in=wanted["account"])
        if sha1s:
            # A SHA-1 cannot be looked up by index: the emails are hashed here. Only a
            # batch with mbox_sha1sum agents pays for reading every email.
            condition = Q()
        found: dict[tuple[str, str], tuple | None] = {}

        def add(key: tuple[str, str], person: tuple) -> None:
            found[key] = None if key in found and found[key] != person else person

        for email, account, person_id, team_id in people.filter(condition).values_list(
            "email_key", "account_key", "id", "team_id"
        ):
            person = (person_id, team_id)
            if email in wanted["email"]:
                add(("email", email), person)
            if account in wanted["account"]:
                add(("account", account), person)
            if sha1s and email:
                digest = hashlib.sha1(f"mailto:{email}".encode()).hexdigest()
                if digest in sha1s:
                    add(("sha1", digest), person)
        return found


def statement_map(statement: dict, lookups: Lookups, stored_at: dt.datetime) -> Mapped:
    """What the (valid) statement counts as, or why it does not count."""
    verb = statement["verb"]["id"]
    kind = lookups.verbs.get(verb)
    if kind is None:
        return Mapped(Outcome.VERB_NOT_COUNTED, verb)
    target = statement["object"]
    if target.get("objectType", "Activity") != "Activity":
        return Mapped(Outcome.NOT_RECORDABLE, f"the object is a {target['objectType']}")
    activity = lookups.activities.get(target["id"])
    if activity is None:
        prefix = settings.XAPI_STEP_IRI_PREFIX
        reference = target["id"][len(prefix) :] if target["id"].startswith(prefix) else ""
        activity = lookups.steps.get(tuple(reference.split("/", 1)))
    if activity is None:
        return Mapped(Outcome.ACTIVITY_NOT_MAPPED, target["id"])
    key = _agent_key(statement["actor"])
    if key is None:
        return Mapped(Outcome.PERSON_NOT_FOUND, "a Group or an openid actor")
    if key[0] == "foreign-account":
        return Mapped(Outcome.PERSON_NOT_FOUND, f"an account on {key[1]}")
    person = lookups.people.get(key)
    if person is None:
        how = "matches more than one person" if key in lookups.people else "matches no person"
        return Mapped(Outcome.PERSON_NOT_FOUND, f"{key[0]} {key[1][:200]} {how}")
    minutes = 0
    if "duration" in statement.get("result", {}):
        minutes = duration_minutes(statement["result"]["duration"])
        if minutes > MAX_MINUTES:
            return Mapped(
                Outcome.NOT_RECORDABLE,
                f"duration {statement['result']['duration']} is over a day "
                f"(at most {MAX_MINUTES:,} minutes)",
            )
    occurred_at = stored_at
    if "timestamp" in statement:
        occurred_at = parse_timestamp(statement["timestamp"])
    pathway_id, step_id = activity
    return Mapped(
        Outcome.COUNTED,
        row=(*person, pathway_id, step_id, occurred_at, minutes, kind, statement["id"]),
    )


# --- The mapping an L&D admin configures ----------------------------------------------------


def _iri_checked(text: str, what: str) -> str:
    iri = text.strip()
    if not IRI.fullmatch(iri):
        raise ValidationError(f"{what} must be an absolute IRI such as https://example.com/x.")
    if len(iri) > MAPPED_IRI_MAX:
        raise ValidationError(f"{what} is over {MAPPED_IRI_MAX} characters.")
    return iri


def xapi_verb_mapping_set(*, verb_iri: str, kind: str) -> XapiVerbMapping:
    """Count statements with exactly this verb IRI as `kind` (replacing its kind)."""
    if kind not in ActivityRecord.Kind.values:
        raise ValidationError(f"{kind!r} is not one of {', '.join(ActivityRecord.Kind.values)}.")
    verb_iri = _iri_checked(verb_iri, "The verb")
    if verb_iri == VOIDED:
        raise ValidationError("The voided verb always voids a statement; it cannot count.")
    mapping, _created = XapiVerbMapping.objects.update_or_create(
        verb_iri=verb_iri, defaults={"kind": kind}
    )
    return mapping


def xapi_activity_mapping_set(*, activity_iri: str, step_reference: str) -> XapiActivityMapping:
    """Count statements about exactly this activity id as the step
    "<pathway-slug>/<step-key>" (replacing an earlier step for it)."""
    activity_iri = _iri_checked(activity_iri, "The activity id")
    slug, _, key = step_reference.strip().partition("/")
    step = Step.objects.filter(pathway__slug=slug.strip(), key=key.strip()).first()
    if step is None:
        raise ValidationError(
            f"No step {step_reference.strip()[:80]!r}: give it as <pathway-slug>/<step-key>, "
            "e.g. ai-basics/prompting-101."
        )
    mapping, _created = XapiActivityMapping.objects.update_or_create(
        activity_iri=activity_iri, defaults={"step": step}
    )
    return mapping


def xapi_verb_mapping_delete(*, mapping: XapiVerbMapping) -> XapiVerbMapping:
    """Stop counting the verb (statements already counted stay counted)."""
    mapping.delete()
    return mapping


def xapi_activity_mapping_delete(*, mapping: XapiActivityMapping) -> XapiActivityMapping:
    """Stop mapping the activity id (statements already counted stay counted)."""
    mapping.delete()
    return mapping
