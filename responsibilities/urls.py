from django.urls import path

from responsibilities import views

app_name = "responsibilities"
urlpatterns = [
    path("responsibilities/", views.matrix, name="matrix"),
]
