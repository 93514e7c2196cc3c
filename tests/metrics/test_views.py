import re

from tests.factories import TeamFactory


def listed_teams(response) -> list[str]:
    block = re.search(r'<ul class="team-list">(.*?)</ul>', response.content.decode(), re.S)
    return re.findall(r"<li>(.*?)</li>", block.group(1)) if block else []


def test_dashboard_lists_the_leaders_team_and_the_teams_below_it(client, leader, team):
    TeamFactory(name="Refunds", parent=TeamFactory(name="Cards", parent=team))
    TeamFactory(name="Sales")  # a sibling tree the leader does not lead
    client.force_login(leader)

    response = client.get("/dashboard/")

    assert response.status_code == 200
    assert listed_teams(response) == ["Cards", "Payments", "Refunds"]


def test_dashboard_lists_every_team_for_an_ld_admin(client, ld_admin, team):
    TeamFactory(name="Sales")
    client.force_login(ld_admin)

    assert listed_teams(client.get("/dashboard/")) == ["Payments", "Sales"]


def test_dashboard_shows_no_figures_until_they_are_real(client, leader):
    client.force_login(leader)

    html = client.get("/dashboard/").content.decode()

    assert "Coming soon" in html
    assert "<canvas" not in html


def test_dashboard_runs_a_fixed_number_of_queries(
    client, leader, team, django_assert_max_num_queries
):
    client.force_login(leader)
    # 1 session + 1 user + 1 groups and 1 led teams (may they see dashboards?) + 1 the
    # team tree, to find the led subtree + 1 their Person, for the navigation + 1 the
    # visible teams = 7.
    with django_assert_max_num_queries(7):
        assert client.get("/dashboard/").status_code == 200

    parent = team
    for n in range(20):
        parent = TeamFactory(parent=parent if n % 2 else team)
    with django_assert_max_num_queries(7):
        response = client.get("/dashboard/")
    assert len(listed_teams(response)) == 21
