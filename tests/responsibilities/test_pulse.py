"""The alignment pulse: answering, closing, aggregation by group, suppression, privacy."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from responsibilities import selectors, services
from responsibilities.models import AlignmentAnswer, AlignmentSurvey, ResponsibilityArea
from tests.factories import CONFIRMED, PersonFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey():
    return services.survey_open(
        title="Autumn pulse", closes_at=timezone.now() + dt.timedelta(days=7)
    )


def _answers(owner="employer", rating=3, **overrides):
    """Answers for every area: `owner` everywhere unless overridden by area key."""
    return {
        area.pk: (overrides.get(area.key, owner), rating)
        for area in ResponsibilityArea.objects.all()
    }


def _people(count, *, leaders=False, team=None):
    people = PersonFactory.create_batch(count, **({"team": team} if team else {}))
    if leaders:
        for person in people:
            TeamFactory(leaders=[person.user])
    return people


def test_a_person_answers_every_area_and_can_change_their_answers(survey):
    person = PersonFactory()
    services.pulse_answer(survey=survey, person=person, answers=_answers("employer"))
    services.pulse_answer(survey=survey, person=person, answers=_answers("shared"))
    owners = set(AlignmentAnswer.objects.filter(person=person).values_list("believed_owner"))
    assert owners == {("shared",)}
    assert AlignmentAnswer.objects.filter(person=person).count() == 8


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda a: dict(list(a.items())[:3]), "Answer every area"),
        (lambda a: dict.fromkeys(a, ("nobody", 3)), "employer, shared or employee"),
        (lambda a: dict.fromkeys(a, ("employer", 6)), "1 \\(badly\\) to 5"),
        (lambda a: dict.fromkeys(a, ("employer", 0)), "1 \\(badly\\) to 5"),
    ],
)
def test_incomplete_or_invalid_answers_are_refused_whole(survey, mutate, message):
    person = PersonFactory()
    with pytest.raises(ValidationError, match=message):
        services.pulse_answer(survey=survey, person=person, answers=mutate(_answers()))
    assert not AlignmentAnswer.objects.exists()


def test_a_pulse_takes_no_answers_once_closed_or_past_its_closing_time(survey):
    person = PersonFactory()
    AlignmentSurvey.objects.filter(pk=survey.pk).update(
        opens_at=timezone.now() - dt.timedelta(days=2),
        closes_at=timezone.now() - dt.timedelta(minutes=1),
    )
    survey.refresh_from_db()
    with pytest.raises(ValidationError, match="closed"):
        services.pulse_answer(survey=survey, person=person, answers=_answers())
    services.survey_close(survey=survey)
    with pytest.raises(ValidationError, match="closed"):
        services.pulse_answer(survey=survey, person=person, answers=_answers())
    assert not AlignmentAnswer.objects.exists()


def test_only_one_pulse_is_open_at_a_time(survey):
    with pytest.raises(ValidationError, match="Another pulse is open"):
        services.survey_open(title="Second", closes_at=timezone.now() + dt.timedelta(days=1))
    services.survey_close(survey=survey)
    services.survey_open(title="Second", closes_at=timezone.now() + dt.timedelta(days=1))


def test_results_aggregate_by_group_and_read_like_the_standoff(survey, settings):
    settings.MIN_GROUP_SIZE = 5
    leaders = _people(5, leaders=True)
    employees = _people(10)
    for n, person in enumerate(leaders):
        owner = "employee" if n < 4 else "shared"
        services.pulse_answer(survey=survey, person=person, answers=_answers(owner, rating=2))
    for n, person in enumerate(employees):
        owner = "employer" if n < 8 else "employee"
        services.pulse_answer(survey=survey, person=person, answers=_answers(owner, rating=4))

    results = selectors.pulse_results(survey)
    assert results.headline == (
        "Leaders: 80% say employees own upskilling; employees: 80% say the employer owns upskilling"
    )
    direction = next(r for r in results.areas if r.area.key == "strategic-direction")
    leaders_dist, employees_dist = direction.groups["leaders"], direction.groups["employees"]
    assert leaders_dist.respondents == 5
    assert employees_dist.respondents == 10
    assert [pct for _, _, pct in leaders_dist.shares] == [0, 20, 80]
    assert [pct for _, _, pct in employees_dist.shares] == [80, 0, 20]
    # |0-80| + |20-0| + |80-20| = 160 percentage points, halved: 80
    assert direction.gap == 80
    assert leaders_dist.mean_rating == 2.0
    assert employees_dist.mean_rating == 4.0
    # strategic direction is agreed to be the employer's
    rows = {key: agreement for key, _, _, agreement in direction.rows}
    assert rows == {"leaders": 0, "employees": 80}


def test_a_group_below_the_minimum_size_is_suppressed_everywhere(survey, settings):
    settings.MIN_GROUP_SIZE = 5
    for person in _people(4, leaders=True):
        services.pulse_answer(survey=survey, person=person, answers=_answers("employee"))
    for person in _people(6):
        services.pulse_answer(survey=survey, person=person, answers=_answers("employer"))
    results = selectors.pulse_results(survey)
    assert results.headline is None
    for area in results.areas:
        leaders = area.groups["leaders"]
        assert leaders.suppressed
        assert leaders.counts == {}
        assert leaders.mean_rating is None
        assert leaders.bar_segments == []
        assert area.gap is None
        assert not area.groups["employees"].suppressed


def test_the_results_page_never_names_a_respondent_or_shows_a_small_group(
    client, survey, settings, ld_admin
):
    settings.MIN_GROUP_SIZE = 5
    leaders = _people(3, leaders=True)
    employees = _people(5)
    for person in leaders + employees:
        services.pulse_answer(survey=survey, person=person, answers=_answers("employer"))
    client.force_login(ld_admin)
    page = client.get(f"/responsibilities/pulse/{survey.pk}/results/").text
    for person in leaders + employees:
        assert person.user.get_full_name() not in page
        assert f">{person.user.username}<" not in page
    assert "Fewer than 5 answered — not shown." in page
    assert page.count("<svg") == 8  # one bar per area, employees only
    assert "The headline appears once" in page


def test_nobody_can_read_another_persons_answers_through_the_answer_form(client, survey):
    alice, bob = PersonFactory(), PersonFactory()
    services.pulse_answer(survey=survey, person=alice, answers=_answers("employee", rating=1))
    client.force_login(bob.user)
    page = client.get(f"/responsibilities/pulse/{survey.pk}/answer/").text
    assert "checked" not in page  # bob has not answered: nothing is pre-filled
    client.force_login(alice.user)
    page = client.get(f"/responsibilities/pulse/{survey.pk}/answer/").text
    assert len(re.findall(r'value="employee"[^>]*checked', page)) == 8


def test_answering_through_the_form_and_the_errors_it_shows(client, survey):
    person = PersonFactory()
    client.force_login(person.user)
    url = f"/responsibilities/pulse/{survey.pk}/answer/"
    areas = list(ResponsibilityArea.objects.all())
    partial = {f"owner_{areas[0].pk}": "employer", f"rating_{areas[0].pk}": "9"}
    response = client.post(url, partial)
    assert response.status_code == 200
    assert "Please answer every area" in response.text
    assert not AlignmentAnswer.objects.exists()

    full = {f"owner_{a.pk}": "shared" for a in areas} | {f"rating_{a.pk}": "4" for a in areas}
    response = client.post(url, full)
    assert response.status_code == 302
    assert AlignmentAnswer.objects.filter(person=person, rating=4).count() == 8


def test_a_closed_pulse_form_says_so_and_takes_nothing(client, survey):
    person = PersonFactory()
    services.survey_close(survey=survey)
    client.force_login(person.user)
    url = f"/responsibilities/pulse/{survey.pk}/answer/"
    areas = ResponsibilityArea.objects.all()
    response = client.post(url, {f"owner_{a.pk}": "shared" for a in areas}, follow=True)
    assert "This pulse is closed" in response.text
    assert not AlignmentAnswer.objects.exists()


def test_only_admins_open_and_close_pulses(client, employee, ld_admin):
    closes = (timezone.localtime() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    client.force_login(employee.user)
    assert (
        client.post(
            "/responsibilities/pulse/open/", {"title": "x", "closes_at": closes}
        ).status_code
        == 403
    )
    client.force_login(ld_admin)
    client.post("/responsibilities/pulse/open/", {"title": "Spring", "closes_at": closes})
    survey = AlignmentSurvey.objects.get(title="Spring")
    assert survey.status == "open"
    client.force_login(employee.user)
    assert client.post(f"/responsibilities/pulse/{survey.pk}/close/").status_code == 403
    client.force_login(ld_admin)
    client.post(f"/responsibilities/pulse/{survey.pk}/close/", CONFIRMED)
    survey.refresh_from_db()
    assert survey.status == "closed"


def test_opening_a_pulse_that_closes_in_the_past_is_refused_with_a_message(client, ld_admin):
    client.force_login(ld_admin)
    past = (timezone.localtime() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/responsibilities/pulse/open/", {"title": "Late", "closes_at": past}, follow=True
    )
    assert "must be in the future" in response.text
    assert not AlignmentSurvey.objects.exists()


def test_a_refused_pulse_keeps_what_was_typed_with_the_reason_under_the_field(client, ld_admin):
    client.force_login(ld_admin)
    past = (timezone.localtime() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/responsibilities/pulse/open/", {"title": "Spring pulse", "closes_at": past}
    )
    assert response.status_code == 200
    assert 'value="Spring pulse"' in response.text
    assert f'value="{past}"' in response.text
    closes_field = response.text.split('for="id_closes_at"')[1].split("</div>\n")[0]
    assert "must be in the future" in closes_field
    assert not AlignmentSurvey.objects.exists()


def test_a_user_without_a_person_record_cannot_answer(client, survey):
    client.force_login(UserFactory())
    assert client.get(f"/responsibilities/pulse/{survey.pk}/answer/").status_code == 403


def test_results_page_query_count_does_not_grow_with_respondents(
    client, survey, ld_admin, django_assert_num_queries
):
    client.force_login(ld_admin)
    for person in _people(3):
        services.pulse_answer(survey=survey, person=person, answers=_answers())
    # session + user + groups + person (navigation) + survey + the figure inputs'
    # generations (the figures cache's key) + areas + answers counted by area, group and
    # owner + respondents per group = 9
    with django_assert_num_queries(9):
        client.get(f"/responsibilities/pulse/{survey.pk}/results/")
    # Again, nothing changed: the results come from the cache, without the three reads
    # behind them = 6.
    with django_assert_num_queries(6):
        client.get(f"/responsibilities/pulse/{survey.pk}/results/")
    for person in _people(20) + _people(6, leaders=True):
        services.pulse_answer(survey=survey, person=person, answers=_answers("shared"))
    with django_assert_num_queries(9):  # new answers: computed
        client.get(f"/responsibilities/pulse/{survey.pk}/results/")


def test_pulse_list_page_query_count_does_not_grow_with_pulses_and_answers(
    client, survey, employee, django_assert_num_queries
):
    services.pulse_answer(survey=survey, person=employee, answers=_answers())
    client.force_login(employee.user)
    # session + user + person + the open pulse + pulses with respondent counts + the
    # employee's answers to the open one (answered?) + groups (admin check) + led teams
    # (navigation: dashboard check) = 8
    with django_assert_num_queries(8):
        page = client.get("/responsibilities/pulse/")
    assert "Autumn pulse" in page.text
    services.survey_close(survey=survey)
    for n in range(5):
        closed = services.survey_open(
            title=f"Pulse {n}", closes_at=timezone.now() + dt.timedelta(days=7)
        )
        for person in _people(3):
            services.pulse_answer(survey=closed, person=person, answers=_answers())
        services.survey_close(survey=closed)
    current = services.survey_open(
        title="Winter pulse", closes_at=timezone.now() + dt.timedelta(days=7)
    )
    services.pulse_answer(survey=current, person=employee, answers=_answers("shared"))
    # The same 8 with seven pulses and sixteen respondents.
    with django_assert_num_queries(8):
        page = client.get("/responsibilities/pulse/")
    assert "Pulse 4" in page.text
    assert "Winter pulse" in page.text


def test_the_pulse_nudge_shows_an_open_pulse_until_i_have_answered(
    client, survey, employee, django_assert_num_queries
):
    client.force_login(employee.user)
    # session + user + person + open pulse + my answers = 5 (the fragment renders no
    # navigation, so the navigation's groups and led teams are never asked)
    with django_assert_num_queries(5):
        nudge = client.get("/responsibilities/pulse/nudge/", HTTP_HX_REQUEST="true").text
    assert survey.title in nudge
    assert f'href="/responsibilities/pulse/{survey.pk}/answer/"' in nudge
    services.pulse_answer(survey=survey, person=employee, answers=_answers())
    with django_assert_num_queries(5):
        answered = client.get("/responsibilities/pulse/nudge/", HTTP_HX_REQUEST="true").text
    assert answered.strip() == ""


def test_no_pulse_nudge_without_an_open_pulse(client, employee):
    client.force_login(employee.user)
    assert client.get("/responsibilities/pulse/nudge/").text.strip() == ""


def test_my_learning_makes_one_request_for_its_panel_the_pulse_nudge_and_the_bell(
    client, survey, employee
):
    """The page loads one fragment: the commitments panel, which brings the open pulse's
    nudge and the bell as out-of-band swaps (pathways does not read pulses itself)."""
    client.force_login(employee.user)
    html = client.get("/learning/").text
    assert '<div id="pulse-nudge" hidden></div>' in html
    assert "pulse/nudge" not in html
    # the bell does not load itself on this page: the panel's answer brings it
    assert 'hx-get="/notifications/bell/" hx-trigger="notifications-changed from:body"' in html
    url = f"/responsibilities/fulfilment/?team={employee.team.slug}&nudge=1&bell=1"
    panel = client.get(url, HTTP_HX_REQUEST="true").text
    assert 'id="fulfilment-table"' in panel
    assert '<div id="pulse-nudge" hx-swap-oob="true">' in panel
    assert survey.title in panel
    assert 'id="notification-bell"' in panel
    assert 'hx-swap-oob="true">Notifications' in panel
    services.pulse_answer(survey=survey, person=employee, answers=_answers())
    answered = client.get(url, HTTP_HX_REQUEST="true").text
    assert '<div id="pulse-nudge" hx-swap-oob="true" hidden>' in answered
    assert survey.title not in answered
