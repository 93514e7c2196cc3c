from django.contrib import admin
from django.urls import include, path

from upskill import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("login/", views.SignInView.as_view(), name="login"),
    path("login/sso/", views.OidcSignInStartView.as_view(), name="oidc_sign_in"),
    path("login/sso/callback/", views.OidcCallbackView.as_view(), name="oidc_callback"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("audit/", views.audit_trail, name="audit"),
    path("organisation/", views.organisation, name="organisation"),
    path("organisation/syncs/<int:pk>/", views.organisation_run, name="organisation_run"),
    path(
        "organisation/syncs/<int:pk>/confirm/",
        views.organisation_run_confirm,
        name="organisation_run_confirm",
    ),
    path(
        "organisation/syncs/<int:pk>/cancel/",
        views.organisation_run_cancel,
        name="organisation_run_cancel",
    ),
    path("organisation/scim/", views.scim_connections, name="scim_connections"),
    path(
        "organisation/scim/<int:pk>/revoke/",
        views.scim_connection_revoke,
        name="scim_connection_revoke",
    ),
    path("", include("upskill.notifications.urls")),
    path("admin/", admin.site.urls),
    path("scim/v2/", include("upskill.scim.urls")),
    path("", include("pathways.urls")),
    path("", include("responsibilities.urls")),
    path("", include("metrics.urls")),
]
