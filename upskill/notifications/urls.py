from django.urls import path

from upskill.notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/bell/", views.bell, name="bell"),
    path("notifications/<int:pk>/read/", views.notification_read, name="read"),
    path("notifications/read-all/", views.notifications_read_all, name="read_all"),
    path("notifications/preferences/", views.preferences, name="preferences"),
    path("notifications/chat/", views.chat_webhooks, name="chat_webhooks"),
    path(
        "notifications/chat/<int:pk>/delete/",
        views.chat_webhook_delete,
        name="chat_webhook_delete",
    ),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
