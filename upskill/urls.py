from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from upskill import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="upskill/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("audit/", views.audit_trail, name="audit"),
    path("", include("upskill.notifications.urls")),
    path("admin/", admin.site.urls),
    path("", include("pathways.urls")),
    path("", include("responsibilities.urls")),
    path("", include("metrics.urls")),
]
