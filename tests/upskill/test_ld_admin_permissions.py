"""L&D admins can use the Django admin for Upskill's models, and only those."""

import pytest
from django.contrib.auth.models import Group

from tests.factories import LDAdminFactory
from upskill.access import LD_ADMINS_GROUP
from upskill.services import ld_admin_permissions_grant

pytestmark = pytest.mark.django_db


def test_after_migrate_the_group_holds_every_upskill_model_permission():
    codenames = set(
        Group.objects.get(name=LD_ADMINS_GROUP).permissions.values_list(
            "content_type__app_label", "codename"
        )
    )
    assert ("pathways", "change_pathway") in codenames
    assert ("responsibilities", "add_commitment") in codenames
    assert ("metrics", "view_activityrecord") in codenames
    assert not any(app == "auth" for app, _ in codenames)


def test_granting_again_changes_nothing_and_other_apps_are_ignored():
    group = Group.objects.get(name=LD_ADMINS_GROUP)
    before = group.permissions.count()
    ld_admin_permissions_grant(app_label="pathways")
    assert ld_admin_permissions_grant(app_label="auth") == 0
    assert group.permissions.count() == before


def test_a_staff_ld_admin_sees_upskill_models_in_the_django_admin(client):
    client.force_login(LDAdminFactory(is_staff=True))
    page = client.get("/admin/")
    assert page.status_code == 200
    for name in ("Pathways", "Commitments", "Activity records", "People"):
        assert name in page.text
    assert client.get("/admin/pathways/step/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 403
