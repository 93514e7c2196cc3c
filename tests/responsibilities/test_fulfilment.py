"""Check-ins and fulfilment = delivered / target per commitment, team and period."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from responsibilities import periods, selectors, services
from responsibilities.models import CommitmentCheckIn, ResponsibilityArea
from tests.factories import PersonFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 25)  # a Wednesday


def test_periods_start_on_monday_first_of_month_and_first_of_quarter():
    assert periods.period_start(TODAY, "week") == dt.date(2026, 11, 23)
    assert periods.period_start(TODAY, "month") == dt.date(2026, 11, 1)
    assert periods.period_start(TODAY, "quarter") == dt.date(2026, 10, 1)
    assert periods.recent_period_starts("month", 3, dt.date(2026, 1, 15)) == [
        dt.date(2025, 11, 1),
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 1),
    ]
    assert periods.next_period_start(dt.date(2026, 10, 1), "quarter") == dt.date(2027, 1, 1)


def test_only_employee_commitments_can_be_computed_from_activity(infrastructure):
    with pytest.raises(ValidationError, match="Only employee commitments"):
        services.commitment_create(
            area=infrastructure,
            party="ld",
            title="Sandbox access",
            target=Decimal("1"),
            unit="days",
            period="month",
            computed_from="practice_submissions",
        )


def test_a_negative_target_is_refused(infrastructure):
    with pytest.raises(ValidationError):
        services.commitment_create(
            area=infrastructure,
            party="ld",
            title="Sandbox access",
            target=Decimal("-1"),
            unit="days",
            period="month",
        )


@pytest.mark.parametrize(
    ("period_start", "message"),
    [
        (dt.date(2026, 11, 24), "start of a period"),  # a Tuesday
        (dt.date(2026, 11, 30), "not started yet"),
    ],
)
def test_a_check_in_must_name_a_period_that_has_started(learning_time, period_start, message):
    team = TeamFactory()
    with pytest.raises(ValidationError, match=message):
        services.check_in_record(
            commitment=learning_time,
            team=team,
            period_start=period_start,
            value=Decimal("3"),
            today=TODAY,
        )
    assert not CommitmentCheckIn.objects.exists()


def test_a_scoped_commitment_takes_no_check_ins_for_other_teams(infrastructure):
    mine, other = TeamFactory(), TeamFactory()
    scoped = services.commitment_create(
        area=infrastructure,
        party="ld",
        title="Monthly coaching session",
        target=Decimal("1"),
        unit="sessions per learner",
        period="month",
        teams=[mine],
    )
    with pytest.raises(ValidationError, match="does not apply"):
        services.check_in_record(
            commitment=scoped,
            team=other,
            period_start=dt.date(2026, 11, 1),
            value=Decimal("1"),
            today=TODAY,
        )


def test_recording_a_period_again_corrects_it_instead_of_adding(learning_time):
    team = TeamFactory()
    for value in ("2", "3.5"):
        services.check_in_record(
            commitment=learning_time,
            team=team,
            period_start=dt.date(2026, 11, 16),
            value=Decimal(value),
            today=TODAY,
        )
    assert CommitmentCheckIn.objects.get().value == Decimal("3.5")


def test_fulfilment_is_delivered_over_target_and_a_missing_period_is_not_zero(learning_time):
    team = TeamFactory()
    for start, value in [(dt.date(2026, 11, 2), "4"), (dt.date(2026, 11, 9), "3")]:
        services.check_in_record(
            commitment=learning_time,
            team=team,
            period_start=start,
            value=Decimal(value),
            today=TODAY,
        )
    services.check_in_record(
        commitment=learning_time,
        team=team,
        period_start=dt.date(2026, 11, 23),
        value=Decimal("1"),
        today=TODAY,
    )
    [row] = selectors.fulfilment_rows(
        teams=[team], commitments=[learning_time], today=TODAY, count=4
    )
    states = [(cell.period_start, cell.state, cell.percent) for cell in row.cells]
    assert states == [
        (dt.date(2026, 11, 2), "met", 100),
        (dt.date(2026, 11, 9), "partial", 75),
        (dt.date(2026, 11, 16), "missing", None),
        (dt.date(2026, 11, 23), "behind", 25),
    ]
    assert row.latest.period_start == dt.date(2026, 11, 23)


def test_computed_figures_for_a_team_below_the_minimum_group_size_are_hidden(settings):
    settings.MIN_GROUP_SIZE = 5
    small, large = TeamFactory(), TeamFactory()
    PersonFactory.create_batch(4, team=small)
    PersonFactory.create_batch(5, team=large)
    area = ResponsibilityArea.objects.get(key="active-participation")
    practice = services.commitment_create(
        area=area,
        party="employee",
        title="One practice project per stage",
        target=Decimal("1"),
        unit="submissions per person",
        period="month",
        computed_from="practice_submissions",
    )
    for team in (small, large):
        CommitmentCheckIn.objects.create(
            commitment=practice,
            team=team,
            period_start=dt.date(2026, 11, 1),
            value=Decimal("0.5"),
            source="computed",
        )
    rows = selectors.fulfilment_rows(
        teams=[small, large], commitments=[practice], today=TODAY, count=1
    )
    by_team = {row.team: row.cells[0] for row in rows}
    assert by_team[small].state == "suppressed"
    assert by_team[small].value is None
    assert by_team[large].state == "behind"
    assert by_team[large].percent == 50


def test_computed_commitments_take_no_manual_check_ins():
    area = ResponsibilityArea.objects.get(key="feedback-and-insight")
    sharing = services.commitment_create(
        area=area,
        party="employee",
        title="Share one learning a month",
        target=Decimal("1"),
        unit="shared learnings per person",
        period="month",
        computed_from="knowledge_sharing",
    )
    with pytest.raises(ValidationError, match="computed from activity"):
        services.check_in_record(
            commitment=sharing,
            team=TeamFactory(),
            period_start=dt.date(2026, 11, 1),
            value=Decimal("1"),
            today=TODAY,
        )


# --- Views ---------------------------------------------------------------------------------


@pytest.fixture
def org(learning_time):
    """A parent team led by `boss`, its child team, and a sibling team led by `rival`."""
    boss, rival = UserFactory(username="boss"), UserFactory(username="rival")
    parent = TeamFactory(name="Engineering", leaders=[boss])
    child = TeamFactory(name="Checkout", parent=parent)
    sibling = TeamFactory(name="Sales", leaders=[rival])
    worker = PersonFactory(team=child)
    return {
        "boss": boss,
        "rival": rival,
        "parent": parent,
        "child": child,
        "sibling": sibling,
        "worker": worker,
    }


def test_a_leader_chooses_among_the_teams_of_their_subtree_only(client, org):
    client.force_login(org["boss"])
    page = client.get("/responsibilities/fulfilment/")
    assert page.status_code == 200
    assert f'<option value="{org["child"].slug}"' in page.text
    assert f'<option value="{org["parent"].slug}"' in page.text
    assert "Sales" not in page.text
    # a leader starts from the overview of all their teams
    assert "All my teams: the latest period" in page.text
    assert page.text.count('<th scope="row"><a href="?team=') == 2

    page = client.get(f"/responsibilities/fulfilment/?team={org['child'].slug}")
    assert "<h2>Checkout</h2>" in page.text
    assert "/check-in/" in page.text


def test_asking_for_a_team_outside_ones_subtree_shows_only_ones_own_teams(client, org):
    client.force_login(org["boss"])
    page = client.get(f"/responsibilities/fulfilment/?team={org['sibling'].slug}")
    assert page.status_code == 200
    assert "Sales" not in page.text
    assert "All my teams: the latest period" in page.text


def test_the_team_filter_swaps_only_the_table_for_htmx(client, org):
    client.force_login(org["boss"])
    response = client.get(
        f"/responsibilities/fulfilment/?team={org['child'].slug}", headers={"HX-Request": "true"}
    )
    assert response.text.lstrip().startswith('<section id="fulfilment-table">')
    assert "<h2>Checkout</h2>" in response.text


def test_an_employee_sees_the_commitments_that_apply_to_their_team(client, org):
    client.force_login(org["worker"].user)
    page = client.get("/responsibilities/fulfilment/")
    assert page.status_code == 200
    assert "Weekly learning hours" in page.text
    assert "<h2>Checkout</h2>" in page.text
    assert "Engineering" not in page.text
    assert "/check-in/" not in page.text


def test_a_user_with_no_team_to_see_gets_403(client):
    client.force_login(UserFactory())
    assert client.get("/responsibilities/fulfilment/").status_code == 403


def test_a_leader_records_a_check_in_for_their_team(client, org, learning_time):
    client.force_login(org["boss"])
    url = f"/responsibilities/commitments/{learning_time.pk}/teams/{org['child'].pk}/check-in/"
    start = periods.period_start(timezone.localdate(), "week")
    response = client.post(url, {"team": org["child"].pk, "period_start": start, "value": "3.5"})
    assert response.status_code == 302
    check_in = CommitmentCheckIn.objects.get()
    assert (check_in.team, check_in.value, check_in.recorded_by) == (
        org["child"],
        Decimal("3.5"),
        org["boss"],
    )


def test_recording_or_cancelling_a_check_in_returns_to_the_team_it_came_from(
    client, org, learning_time
):
    client.force_login(org["boss"])
    team = org["child"]
    url = f"/responsibilities/commitments/{learning_time.pk}/teams/{team.pk}/check-in/"
    back = f"/responsibilities/fulfilment/?team={team.slug}#c{learning_time.pk}-t{team.pk}"
    assert f'href="{back}">Cancel</a>' in client.get(url).text
    start = periods.period_start(timezone.localdate(), "week")
    response = client.post(url, {"team": team.pk, "period_start": start, "value": "3.5"})
    assert response.status_code == 302
    assert response.url == back
    page = client.get(response.url)
    assert f"<h2>{team.name}</h2>" in page.text


def test_a_bad_check_in_rerenders_with_a_message_and_records_nothing(client, org, learning_time):
    client.force_login(org["boss"])
    url = f"/responsibilities/commitments/{learning_time.pk}/teams/{org['child'].pk}/check-in/"
    start = periods.period_start(timezone.localdate(), "week")
    for bad in ({"value": "-2"}, {"value": "lots"}, {"value": "1", "period_start": "2020-13-45"}):
        data = {"team": org["child"].pk, "period_start": start, **bad}
        response = client.post(url, data)
        assert response.status_code == 200
        assert 'class="error"' in response.text
    assert not CommitmentCheckIn.objects.exists()


def test_a_sibling_leader_and_an_employee_cannot_record_for_a_team(client, org, learning_time):
    url = f"/responsibilities/commitments/{learning_time.pk}/teams/{org['child'].pk}/check-in/"
    start = periods.period_start(timezone.localdate(), "week")
    for user in (org["rival"], org["worker"].user):
        client.force_login(user)
        assert client.get(url).status_code == 403
        data = {"team": org["child"].pk, "period_start": start, "value": "4"}
        assert client.post(url, data).status_code == 403
    assert not CommitmentCheckIn.objects.exists()


def test_fulfilment_page_query_count_does_not_grow_with_teams_and_check_ins(
    client, org, learning_time, django_assert_num_queries
):
    client.force_login(org["boss"])
    url = f"/responsibilities/fulfilment/?team={org['child'].slug}"
    # session + user + groups + led teams and the teams below them + person + teams +
    # team choice + the figure inputs' generations (the figures cache's key) +
    # commitments + their teams + check-ins + team size = 11 (the teams and the chosen
    # one: one query)
    with django_assert_num_queries(11):
        client.get(url)
    # Again, nothing changed: the figures come from the cache, without commitments,
    # their teams, check-ins and team size = 7.
    with django_assert_num_queries(7):
        client.get(url)
    area = ResponsibilityArea.objects.get(key="foundational-enablement")
    for n in range(8):
        team = TeamFactory(parent=org["parent"])
        PersonFactory(team=team)
        commitment = services.commitment_create(
            area=area, party="ld", title=f"Promise {n}", target=1, unit="x", period="week"
        )
        for week in range(3):
            services.check_in_record(
                commitment=commitment,
                team=org["child"],
                period_start=periods.period_start(timezone.localdate(), "week")
                - dt.timedelta(weeks=week),
                value=Decimal(n),
            )
    with django_assert_num_queries(11):  # new commitments and check-ins: computed
        page = client.get(url)
    assert "Promise 7" in page.text


def _many_teams(parent, count: int) -> list:
    """New teams, as an HR sync would make them: the organisation's generation moves on
    (so the figures cache computes afresh, as after a real reorganisation)."""
    from upskill import cache

    teams = [TeamFactory(name=f"Squad {n:03d}", parent=parent) for n in range(count)]
    cache.inputs_changed(cache.ORGANISATION)
    return teams


def test_a_leader_of_many_teams_finds_them_by_name_and_pages_the_overview(
    client, org, learning_time, django_assert_num_queries
):
    """Past TEAM_CHOICES_MAX teams there is no list of them all: a search box, and the
    overview a page of TEAMS_PER_PAGE teams in a constant number of queries."""
    _many_teams(org["parent"], 60)  # the boss now sees 62 teams
    client.force_login(org["boss"])
    # session + user + groups + led teams and the teams below them + person + the page
    # of teams with their count (a window) + the figure inputs' generations (the figures
    # cache's key) + commitments + their teams + check-ins + team sizes = 11:
    # what a leader of two teams runs (their list of teams instead of the page)
    with django_assert_num_queries(11):
        first = client.get("/responsibilities/fulfilment/")
    assert '<input type="search" name="q"' in first.text
    assert '<select name="team"' not in first.text
    assert first.text.count('<th scope="row"><a href="?team=') == 50
    assert "Page 1 of 2" in first.text
    with django_assert_num_queries(11):
        second = client.get("/responsibilities/fulfilment/?page=2")
    assert second.text.count('<th scope="row"><a href="?team=') == 12
    _many_teams(TeamFactory(name="More", parent=org["parent"]), 40)
    with django_assert_num_queries(11):
        again = client.get("/responsibilities/fulfilment/?page=2")
    assert again.text.count('<th scope="row"><a href="?team=') == 50
    with django_assert_num_queries(11):
        searched = client.get("/responsibilities/fulfilment/?q=squad")
    assert searched.context["page"].paginator.count == 100  # 60 squads, then 40 more
    # A page past the end is the last page (one query more to find it).
    assert client.get("/responsibilities/fulfilment/?page=9").context["page"].number == 3


def test_a_few_teams_and_many_run_the_same_queries_for_the_overview_and_a_search(
    client, org, learning_time, django_assert_num_queries
):
    client.force_login(org["boss"])  # two teams: a list to choose from
    with django_assert_num_queries(11):
        client.get("/responsibilities/fulfilment/")
    with django_assert_num_queries(11):
        few = client.get("/responsibilities/fulfilment/?q=check")
    assert [row.team.name for row in few.context["overview"]] == ["Checkout"]
    _many_teams(org["parent"], 60)
    with django_assert_num_queries(11):
        client.get("/responsibilities/fulfilment/")
    with django_assert_num_queries(11):
        many = client.get("/responsibilities/fulfilment/?q=check")
    assert [row.team.name for row in many.context["overview"]] == ["Checkout"]


def test_searching_the_overview_keeps_the_search_in_its_page_links(client, org, learning_time):
    _many_teams(org["parent"], 120)
    client.force_login(org["boss"])

    page = client.get("/responsibilities/fulfilment/?q=squad")
    assert "120 teams whose name contains “squad”" in page.text
    assert 'href="?q=squad&amp;page=2"' in page.text
    assert "Sales" not in page.text
    narrow = client.get("/responsibilities/fulfilment/?q=Squad 11")
    assert [row.team.name for row in narrow.context["overview"]] == [
        f"Squad {n}" for n in range(110, 120)
    ]
    nothing = client.get("/responsibilities/fulfilment/?q=nowhere")
    assert "No team you can see has “nowhere” in its name." in nothing.text


def test_among_many_teams_one_is_opened_by_its_slug_and_others_are_not(client, org, learning_time):
    squads = _many_teams(org["parent"], 60)
    client.force_login(org["boss"])

    page = client.get(f"/responsibilities/fulfilment/?team={squads[42].slug}")
    assert f"<h2>{squads[42].name}</h2>" in page.text
    refused = client.get(f"/responsibilities/fulfilment/?team={org['sibling'].slug}")
    assert "All my teams: the latest period" in refused.text
    assert "Sales" not in refused.text


def test_an_at_most_commitment_is_kept_under_its_ceiling(infrastructure):
    sandbox = services.commitment_create(
        area=infrastructure,
        party="ld",
        title="Sandbox within 5 working days",
        target=Decimal("5"),
        unit="working days",
        period="month",
        direction="at_most",
    )
    team = TeamFactory()
    for start, days in [(dt.date(2026, 10, 1), "3"), (dt.date(2026, 11, 1), "8")]:
        services.check_in_record(
            commitment=sandbox, team=team, period_start=start, value=Decimal(days), today=TODAY
        )
    [row] = selectors.fulfilment_rows(teams=[team], commitments=[sandbox], today=TODAY, count=2)
    assert [(cell.state, cell.percent) for cell in row.cells] == [("met", 100), ("behind", 62)]
