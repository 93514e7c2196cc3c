from django.urls import path

from pathways import views

app_name = "pathways"
urlpatterns = [
    path("pathways/", views.pathway_list, name="list"),
    path("learning/", views.my_learning, name="my_learning"),
]
