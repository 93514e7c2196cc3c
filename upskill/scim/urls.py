from django.urls import path, re_path

from upskill import views

app_name = "scim"

urlpatterns = [
    path(
        "ServiceProviderConfig", views.scim_service_provider_config, name="service_provider_config"
    ),
    path("Schemas", views.scim_schemas, name="schemas"),
    path("Schemas/<str:pk>", views.scim_schema, name="schema"),
    path("ResourceTypes", views.scim_resource_types, name="resource_types"),
    path("ResourceTypes/<str:pk>", views.scim_resource_type, name="resource_type"),
    path(".search", views.scim_root_search, name="search"),
    path("Users", views.scim_users, name="users"),
    path("Users/.search", views.scim_users_search, name="users_search"),
    path("Users/<str:pk>", views.scim_user, name="user"),
    path("Groups", views.scim_groups, name="groups"),
    path("Groups/.search", views.scim_groups_search, name="groups_search"),
    path("Groups/<str:pk>", views.scim_group, name="group"),
    re_path(r"^(?P<rest>.*)$", views.scim_not_found, name="not_found"),
]
