"""factory_boy factories for every model the tests build.

Defaults make a valid, minimal row: unique fields come from sequences, foreign keys
from sub-factories, and a step's pathway is always its stage's pathway (services keep
them equal, so the factories do too).
"""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from factory.django import DjangoModelFactory

from metrics.models import (
    ActivityRecord,
    ImportRun,
    OutcomeMeasure,
    OutcomeObservation,
    WeeklyRollup,
)
from pathways.models import (
    Competency,
    Enrollment,
    Pathway,
    Product,
    Recognition,
    RoleRubric,
    Stage,
    Step,
    StepFeedback,
    StepProgress,
)
from responsibilities.models import (
    AlignmentAnswer,
    AlignmentSurvey,
    Commitment,
    CommitmentCheckIn,
    OwnerSide,
    Party,
    RaciAssignment,
    ResponsibilityArea,
)
from upskill.access import LD_ADMINS_GROUP
from upskill.confirmation import CONFIRMED_FIELD, CONFIRMED_VALUE
from upskill.models import JobRole, Person, Team

PASSWORD = "correct-horse-battery-staple"
# What the confirmation dialog adds to a destructive action's POST (upskill/confirmation.py).
CONFIRMED = {CONFIRMED_FIELD: CONFIRMED_VALUE}


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


class UserFactory(DjangoModelFactory):
    """A user who can sign in with PASSWORD; `groups=[...]` adds them to groups."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password(PASSWORD)
    is_active = True

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*extracted)


class LDAdminFactory(UserFactory):
    """A member of the "L&D admins" group, which the upskill migrations create (looked
    up, not created here, so a missing migration shows up as a failing test)."""

    @factory.post_generation
    def join_ld_admins(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get(name=LD_ADMINS_GROUP))


class TeamFactory(DjangoModelFactory):
    """A team; pass `leaders=[user, ...]` to make users its leaders."""

    class Meta:
        model = Team
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")
    parent = None

    @factory.post_generation
    def leaders(self, create, extracted, **kwargs):
        if create and extracted:
            self.leaders.add(*extracted)


class JobRoleFactory(DjangoModelFactory):
    class Meta:
        model = JobRole
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Job role {n}")


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    user = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    job_role = factory.SubFactory(JobRoleFactory)
    manager = None


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    kind = Product.Kind.PRODUCT


class CompetencyFactory(DjangoModelFactory):
    class Meta:
        model = Competency

    name = factory.Sequence(lambda n: f"Competency {n}")
    slug = factory.Sequence(lambda n: f"competency-{n}")


class RoleRubricFactory(DjangoModelFactory):
    class Meta:
        model = RoleRubric

    job_role = factory.SubFactory(JobRoleFactory)
    competency = factory.SubFactory(CompetencyFactory)
    level_1 = "Knows what the tool can do."
    level_2 = "Uses it on their own work with review."
    level_3 = "Uses it well and unaided."
    level_4 = "Teaches others."
    ethical_considerations = "Never paste customer personal data into a prompt."
    decision_boundaries = "A person approves every customer-facing answer."


class PathwayFactory(DjangoModelFactory):
    """A published pathway; pass `products=[...]` / `target_roles=[...]` to link them."""

    class Meta:
        model = Pathway
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Pathway {n}")
    slug = factory.Sequence(lambda n: f"pathway-{n}")
    summary = "Use AI on the work you already do."
    status = Pathway.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def products(self, create, extracted, **kwargs):
        if create and extracted:
            self.products.add(*extracted)

    @factory.post_generation
    def target_roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.target_roles.add(*extracted)


class StageFactory(DjangoModelFactory):
    class Meta:
        model = Stage

    pathway = factory.SubFactory(PathwayFactory)
    title = factory.Sequence(lambda n: f"Stage {n}")
    kind = Stage.Kind.FOUNDATION
    position = factory.Sequence(lambda n: n + 1)


class StepFactory(DjangoModelFactory):
    """A step; its pathway is its stage's pathway. `StepFactory(stage__pathway=p)`
    puts a new stage into an existing pathway."""

    class Meta:
        model = Step

    stage = factory.SubFactory(StageFactory)
    pathway = factory.SelfAttribute("stage.pathway")
    key = factory.Sequence(lambda n: f"step-{n}")
    title = factory.Sequence(lambda n: f"Step {n}")
    kind = Step.Kind.LEARN
    position = factory.Sequence(lambda n: n + 1)
    estimated_minutes = 30


class EnrollmentFactory(DjangoModelFactory):
    class Meta:
        model = Enrollment

    person = factory.SubFactory(PersonFactory)
    pathway = factory.SubFactory(PathwayFactory)
    source = Enrollment.Source.ASSIGNED


class StepProgressFactory(DjangoModelFactory):
    """Progress on a step of the enrolment's own pathway."""

    class Meta:
        model = StepProgress

    enrollment = factory.SubFactory(EnrollmentFactory)
    # Inside StepFactory -> StageFactory: "." is the stage, ".." the step, "..." this row.
    step = factory.SubFactory(
        StepFactory, stage__pathway=factory.SelfAttribute("...enrollment.pathway")
    )
    status = StepProgress.Status.IN_PROGRESS


class StepFeedbackFactory(DjangoModelFactory):
    class Meta:
        model = StepFeedback

    person = factory.SubFactory(PersonFactory)
    step = factory.SubFactory(StepFactory)
    useful = True


class RecognitionFactory(DjangoModelFactory):
    class Meta:
        model = Recognition

    from_person = factory.SubFactory(PersonFactory)
    to_person = factory.SubFactory(PersonFactory)
    behaviour = Recognition.Behaviour.KNOWLEDGE_SHARING
    message = "Showed the team how she drafts release notes with AI."


class ResponsibilityAreaFactory(DjangoModelFactory):
    class Meta:
        model = ResponsibilityArea

    key = factory.Sequence(lambda n: f"area-{n}")
    name = factory.Sequence(lambda n: f"Area {n}")
    owner_side = OwnerSide.SHARED
    position = factory.Sequence(lambda n: 100 + n)


class RaciAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = RaciAssignment

    area = factory.SubFactory(ResponsibilityAreaFactory)
    party = Party.LD
    letter = RaciAssignment.Letter.RESPONSIBLE


class CommitmentFactory(DjangoModelFactory):
    class Meta:
        model = Commitment
        skip_postgeneration_save = True

    area = factory.SubFactory(ResponsibilityAreaFactory)
    party = Party.LEADERSHIP
    title = factory.Sequence(lambda n: f"Protected learning time {n}")
    target = Decimal("4")
    unit = "hours per person"
    period = Commitment.Period.WEEK

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        if create and extracted:
            self.teams.add(*extracted)


class CommitmentCheckInFactory(DjangoModelFactory):
    class Meta:
        model = CommitmentCheckIn

    commitment = factory.SubFactory(CommitmentFactory)
    team = factory.SubFactory(TeamFactory)
    period_start = factory.Sequence(lambda n: dt.date(2025, 1, 6) + dt.timedelta(weeks=n))
    value = Decimal("3.5")


class AlignmentSurveyFactory(DjangoModelFactory):
    class Meta:
        model = AlignmentSurvey

    title = factory.Sequence(lambda n: f"Alignment pulse {n}")
    status = AlignmentSurvey.Status.OPEN


class AlignmentAnswerFactory(DjangoModelFactory):
    class Meta:
        model = AlignmentAnswer

    survey = factory.SubFactory(AlignmentSurveyFactory)
    person = factory.SubFactory(PersonFactory)
    area = factory.SubFactory(ResponsibilityAreaFactory)
    believed_owner = OwnerSide.SHARED
    rating = 4


class OutcomeMeasureFactory(DjangoModelFactory):
    class Meta:
        model = OutcomeMeasure

    key = factory.Sequence(lambda n: f"measure_{n}")
    name = factory.Sequence(lambda n: f"Measure {n}")
    unit = "days"
    direction = OutcomeMeasure.Direction.LOWER


class ActivityRecordFactory(DjangoModelFactory):
    class Meta:
        model = ActivityRecord

    person = factory.SubFactory(PersonFactory)
    pathway = None
    step = None
    occurred_at = factory.LazyFunction(timezone.now)
    minutes = 30
    kind = ActivityRecord.Kind.PRACTICED
    source = "app"
    source_id = factory.Sequence(lambda n: f"activity-{n}")


class OutcomeObservationFactory(DjangoModelFactory):
    class Meta:
        model = OutcomeObservation

    measure = factory.SubFactory(OutcomeMeasureFactory)
    team = factory.SubFactory(TeamFactory)
    period_start = factory.LazyFunction(lambda: _monday(timezone.localdate()))
    value = 3.5
    sample_size = 8
    source = "csv"
    source_id = factory.Sequence(lambda n: f"observation-{n}")


class ImportRunFactory(DjangoModelFactory):
    class Meta:
        model = ImportRun

    kind = ImportRun.Kind.ACTIVITY
    original_name = "activity.csv"
    status = ImportRun.Status.DONE


class WeeklyRollupFactory(DjangoModelFactory):
    class Meta:
        model = WeeklyRollup

    team = factory.SubFactory(TeamFactory)
    week_start = factory.Sequence(lambda n: dt.date(2025, 1, 6) + dt.timedelta(weeks=n))
    pathway = None
    metric = "learning_minutes"
    value = 120.0
    people = 6
