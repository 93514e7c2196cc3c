from django.urls import path

from pathways.views import builder, learning

app_name = "pathways"

# The pathway builder (L&D admins).
builder_urlpatterns = [
    path("pathways/", builder.pathway_list, name="list"),
]

# The learner's side (employees, and their reviewers).
learning_urlpatterns = [
    path("learning/", learning.my_learning, name="my_learning"),
]

urlpatterns = builder_urlpatterns + learning_urlpatterns
