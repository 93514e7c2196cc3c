from django.urls import path, re_path

from upskill.scim import views

app_name = "scim"

urlpatterns = [
    path("ServiceProviderConfig", views.service_provider_config, name="service_provider_config"),
    path("Schemas", views.schemas, name="schemas"),
    path("Schemas/<str:pk>", views.schema, name="schema"),
    path("ResourceTypes", views.resource_types, name="resource_types"),
    path("ResourceTypes/<str:pk>", views.resource_type, name="resource_type"),
    path(".search", views.root_search, name="search"),
    path("Users", views.users, name="users"),
    path("Users/.search", views.users_search, name="users_search"),
    path("Users/<str:pk>", views.user, name="user"),
    path("Groups", views.groups, name="groups"),
    path("Groups/.search", views.groups_search, name="groups_search"),
    path("Groups/<str:pk>", views.group, name="group"),
    re_path(r"^(?P<rest>.*)$", views.not_found, name="not_found"),
]
