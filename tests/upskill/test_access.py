"""The access policy (upskill/access.py), role by role, on a small organisation tree."""

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group

from tests.factories import LDAdminFactory, PersonFactory, TeamFactory, UserFactory
from upskill import access
from upskill.models import Person, Team


@dataclass
class Org:
    """
    company
    ├── engineering          led by eng_lead (whose own Person is in engineering)
    │   ├── platform         led by platform_lead (no Person)
    │   │   └── data
    │   │       └── ml       three levels below engineering
    │   └── payments         employee, their manager and a colleague work here
    └── sales                led by sales_lead (no Person)
        └── emea
    """

    teams: dict[str, Team]
    eng_lead: object
    platform_lead: object
    sales_lead: object
    eng_lead_person: Person
    employee: Person
    manager: Person
    colleague: Person
    ml_engineer: Person
    platform_engineer: Person
    seller: Person

    def team_ids(self, *names: str) -> frozenset[int]:
        return frozenset(self.teams[name].pk for name in names)


@pytest.fixture
def org(db) -> Org:
    eng_lead = UserFactory(username="eng-lead")
    platform_lead = UserFactory(username="platform-lead")
    sales_lead = UserFactory(username="sales-lead")

    company = TeamFactory(slug="company")
    engineering = TeamFactory(slug="engineering", parent=company, leaders=[eng_lead])
    platform = TeamFactory(slug="platform", parent=engineering, leaders=[platform_lead])
    data = TeamFactory(slug="data", parent=platform)
    ml = TeamFactory(slug="ml", parent=data)
    payments = TeamFactory(slug="payments", parent=engineering)
    sales = TeamFactory(slug="sales", parent=company, leaders=[sales_lead])
    emea = TeamFactory(slug="emea", parent=sales)

    manager = PersonFactory(team=payments)
    return Org(
        teams={
            team.slug: team
            for team in (company, engineering, platform, data, ml, payments, sales, emea)
        },
        eng_lead=eng_lead,
        platform_lead=platform_lead,
        sales_lead=sales_lead,
        eng_lead_person=PersonFactory(user=eng_lead, team=engineering),
        employee=PersonFactory(team=payments, manager=manager),
        manager=manager,
        colleague=PersonFactory(team=payments),
        ml_engineer=PersonFactory(team=ml),
        platform_engineer=PersonFactory(team=platform),
        seller=PersonFactory(team=emea),
    )


def people_ids(user) -> set[int]:
    """Whose records the policy lets the user see: the people of the teams the user may
    see (`visible_team_ids`, what the dashboards and fulfilment aggregate over) and the
    user's own Person (`person_of`, the only one whose progress, evidence, ratings and
    answers the views read or change for them)."""
    own = access.person_of(user)
    people = Person.objects.filter(team_id__in=access.visible_team_ids(user))
    return set(people.values_list("pk", flat=True)) | ({own.pk} if own else set())


def fresh(user):
    """The user as a new request would load it (policy answers are memoised per object)."""
    return get_user_model().objects.get(pk=user.pk)


# Employees ---------------------------------------------------------------------------


def test_employee_sees_only_their_own_person(org):
    user = org.employee.user

    assert people_ids(user) == {org.employee.pk}
    assert access.visible_team_ids(user) == frozenset()
    assert org.employee.pk in people_ids(user)
    assert org.colleague.pk not in people_ids(user)
    assert org.manager.pk not in people_ids(user)
    assert org.teams["payments"].pk not in access.visible_team_ids(user)


def test_employee_may_change_only_their_own_records(org):
    user = org.employee.user

    assert access.person_of(user) == org.employee
    assert access.person_of(user) != org.colleague


def test_employee_may_not_configure_or_open_dashboards(org):
    user = org.employee.user

    assert not access.can_configure(user)
    assert not access.can_view_dashboard(user)
    assert access.person_of(user) == org.employee


# Leaders ------------------------------------------------------------------------------


def test_leader_sees_their_team_and_every_team_below_it(org):
    assert access.visible_team_ids(org.eng_lead) == org.team_ids(
        "engineering", "platform", "data", "ml", "payments"
    )


def test_leader_sees_the_people_in_their_subtree_down_to_the_deepest_team(org):
    assert people_ids(org.eng_lead) == {
        org.eng_lead_person.pk,
        org.employee.pk,
        org.manager.pk,
        org.colleague.pk,
        org.ml_engineer.pk,
        org.platform_engineer.pk,
    }
    assert org.ml_engineer.pk in people_ids(org.eng_lead)


def test_leader_of_a_middle_team_sees_below_but_not_above_or_beside(org):
    assert access.visible_team_ids(org.platform_lead) == org.team_ids("platform", "data", "ml")
    assert people_ids(org.platform_lead) == {org.platform_engineer.pk, org.ml_engineer.pk}
    assert org.teams["engineering"].pk not in access.visible_team_ids(org.platform_lead)
    assert org.teams["payments"].pk not in access.visible_team_ids(org.platform_lead)
    assert org.eng_lead_person.pk not in people_ids(org.platform_lead)


def test_leader_of_sibling_team_sees_nothing_of_the_other_team(org):
    assert access.visible_team_ids(org.sales_lead) == org.team_ids("sales", "emea")
    assert people_ids(org.sales_lead) == {org.seller.pk}
    for slug in ("engineering", "platform", "data", "ml", "payments", "company"):
        assert org.teams[slug].pk not in access.visible_team_ids(org.sales_lead)
    for person in (org.employee, org.ml_engineer, org.eng_lead_person):
        assert person.pk not in people_ids(org.sales_lead)


def test_leader_whose_own_person_sits_outside_the_led_team_still_sees_themselves(org):
    platform_lead_person = PersonFactory(user=org.platform_lead, team=org.teams["payments"])
    user = fresh(org.platform_lead)

    assert people_ids(user) == {
        platform_lead_person.pk,
        org.platform_engineer.pk,
        org.ml_engineer.pk,
    }
    # Seeing yourself does not open your own team's colleagues.
    assert org.colleague.pk not in people_ids(user)


def test_leader_of_two_separate_teams_sees_both_subtrees(org):
    org.teams["emea"].leaders.add(org.platform_lead)
    user = fresh(org.platform_lead)

    assert access.visible_team_ids(user) == org.team_ids("platform", "data", "ml", "emea")
    assert org.seller.pk in people_ids(user)


def test_leader_may_open_dashboards_but_not_configure(org):
    assert access.can_view_dashboard(org.sales_lead)
    assert not access.can_configure(org.sales_lead)


def test_the_led_part_of_the_team_tree_is_read_in_one_query_and_remembered_for_the_request(
    org, django_assert_num_queries
):
    user = fresh(org.eng_lead)
    # 1 the user's groups (is the user an L&D admin?) + 1 the teams they lead and every
    # team below them (one recursive query); the second and third calls are memoised,
    # and "leader?" is answered from the same rows.
    with django_assert_num_queries(2):
        access.visible_team_ids(user)
        access.visible_team_ids(user)
        assert org.teams["ml"].pk in access.visible_team_ids(user)
        assert access.is_leader(user)
    # "Reviewer?" adds only the user's Person (whether anyone reports to them), which
    # every page loads for the navigation anyway.
    with django_assert_num_queries(1):
        assert access.is_reviewer(user)


def test_a_leader_of_a_team_nobody_else_is_in_reviews_the_people_below_it(org):
    # A department with nobody in it directly: whether its leader reviews anyone is read
    # off the teams below it.
    department = TeamFactory(slug="ops", parent=None)
    below = TeamFactory(slug="ops-floor", parent=department)
    lead = UserFactory()
    department.leaders.add(lead)
    assert not access.is_reviewer(fresh(lead))

    PersonFactory(team=below)
    assert access.is_reviewer(fresh(lead))
    assert access.visible_team_ids(fresh(lead)) == {department.pk, below.pk}


def test_a_team_led_below_another_led_team_is_still_one_the_user_leads(org):
    org.teams["data"].leaders.add(org.eng_lead)
    user = fresh(org.eng_lead)

    assert access.led_team_ids(user) == org.team_ids("engineering", "data")
    assert access.visible_team_ids(user) == org.team_ids(
        "engineering", "platform", "data", "ml", "payments"
    )


def test_a_leaders_subtree_ends_even_if_the_tree_has_a_cycle(org):
    Team.objects.filter(pk=org.teams["platform"].pk).update(parent=org.teams["ml"])
    user = fresh(org.platform_lead)

    assert access.visible_team_ids(user) == org.team_ids("platform", "data", "ml")


def test_subtree_walk_ends_even_if_the_tree_has_a_cycle(org):
    # The database forbids a team being its own parent but not a longer loop.
    Team.objects.filter(pk=org.teams["platform"].pk).update(parent=org.teams["ml"])

    assert access.subtree_team_ids([org.teams["data"].pk]) == org.team_ids("data", "ml", "platform")


def test_subtree_of_no_teams_is_empty_without_a_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert access.subtree_team_ids([]) == frozenset()


# L&D admins ---------------------------------------------------------------------------


def test_ld_admin_sees_every_team_and_person_and_can_configure(org):
    admin = LDAdminFactory()

    assert access.visible_team_ids(admin) == frozenset(t.pk for t in org.teams.values())
    assert people_ids(admin) == set(Person.objects.values_list("pk", flat=True))
    assert org.seller.pk in people_ids(admin)
    assert org.teams["ml"].pk in access.visible_team_ids(admin)
    assert access.can_configure(admin)
    assert access.can_view_dashboard(admin)


def test_superuser_counts_as_ld_admin_without_the_group(org):
    superuser = UserFactory(is_superuser=True, is_staff=True)

    assert access.is_ld_admin(superuser)
    assert access.can_configure(superuser)
    assert access.visible_team_ids(superuser) == frozenset(t.pk for t in org.teams.values())


def test_membership_of_the_leaders_group_alone_grants_no_team(org):
    user = UserFactory(groups=[Group.objects.get(name=access.LEADERS_GROUP)])

    assert access.visible_team_ids(user) == frozenset()
    assert not access.can_view_dashboard(user)


# Nobody -------------------------------------------------------------------------------


def test_anonymous_user_sees_nothing(org):
    anonymous = AnonymousUser()

    assert access.person_of(anonymous) is None
    assert access.visible_team_ids(anonymous) == frozenset()
    assert not people_ids(anonymous)
    assert org.employee.pk not in people_ids(anonymous)
    assert org.teams["payments"].pk not in access.visible_team_ids(anonymous)
    assert not access.can_review(anonymous, org.employee)
    assert not access.can_configure(anonymous)
    assert not access.can_view_dashboard(anonymous)


@pytest.mark.parametrize("role", ["employee", "leader", "ld_admin", "superuser"])
def test_inactive_user_sees_nothing_whatever_their_role(org, role):
    user = {
        "employee": lambda: org.employee.user,
        "leader": lambda: org.eng_lead,
        "ld_admin": LDAdminFactory,
        "superuser": lambda: UserFactory(is_superuser=True, is_staff=True),
    }[role]()
    user.is_active = False
    user.save(update_fields=["is_active"])
    user = fresh(user)

    assert access.person_of(user) is None
    assert access.visible_team_ids(user) == frozenset()
    assert not people_ids(user)
    assert org.ml_engineer.pk not in people_ids(user)
    assert not access.can_review(user, org.ml_engineer)
    assert not access.can_configure(user)
    assert not access.can_view_dashboard(user)


def test_user_without_person_or_role_sees_nothing(org):
    user = UserFactory()

    assert access.person_of(user) is None
    assert not people_ids(user)
    assert org.employee.pk not in people_ids(user)


# Reviewing evidence -------------------------------------------------------------------


def test_manager_may_review_their_report(org):
    assert access.can_review(org.manager.user, org.employee)


def test_leader_above_the_person_may_review_at_any_depth(org):
    assert access.can_review(org.eng_lead, org.employee)
    assert access.can_review(org.eng_lead, org.ml_engineer)
    assert access.can_review(org.platform_lead, org.ml_engineer)


def test_person_may_not_review_themselves_even_when_they_lead_their_own_team(org):
    assert not access.can_review(org.employee.user, org.employee)
    # eng_lead's Person is in engineering, which eng_lead leads.
    assert not access.can_review(org.eng_lead, org.eng_lead_person)


def test_leader_of_sibling_team_may_not_review(org):
    assert not access.can_review(org.sales_lead, org.employee)
    assert not access.can_review(org.platform_lead, org.employee)


def test_colleague_who_is_not_the_manager_may_not_review(org):
    assert not access.can_review(org.colleague.user, org.employee)
    assert not access.can_review(org.employee.user, org.manager)


# Landing page -------------------------------------------------------------------------


def test_home_is_the_pathway_list_for_ld_admins_even_if_they_also_lead(org):
    admin = LDAdminFactory()
    org.teams["sales"].leaders.add(admin)

    assert access.home_url_name(fresh(admin)) == "pathways:list"


def test_home_is_the_dashboard_for_leaders_with_or_without_a_person(org):
    assert access.home_url_name(org.eng_lead) == "metrics:dashboard"
    assert access.home_url_name(org.sales_lead) == "metrics:dashboard"


def test_home_is_my_learning_for_employees(org):
    assert access.home_url_name(org.employee.user) == "pathways:my_learning"
