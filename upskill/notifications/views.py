"""The bell, the list with mark-read, preferences, one-click unsubscribe, and the L&D
admins' team chat webhooks."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from upskill import notifications
from upskill.decorators import ld_admin_required
from upskill.forms import validation_error_onto_form
from upskill.http import HtmxHttpRequest
from upskill.models import Notification, TeamChatWebhook
from upskill.notifications.forms import NotificationPreferenceForm, TeamChatWebhookForm
from upskill.paging import page_of

LIST_TEMPLATE = "upskill/notifications/list.html"


def _list_context(user_id: int) -> dict:
    return {
        "notifications": list(notifications.notifications_recent(user_id=user_id)),
        "unread": notifications.unread_count(user_id=user_id),
    }


@require_GET
@login_required
def bell(request: HtmxHttpRequest) -> HttpResponse:
    """The nav's bell with the unread count; base.html loads it with htmx, so pages that
    show it spend no query on it."""
    return HttpResponse(notifications.bell_html(request))


@require_GET
@login_required
def notification_list(request: HtmxHttpRequest) -> HttpResponse:
    template = f"{LIST_TEMPLATE}#notification-list" if request.htmx else LIST_TEMPLATE
    return render(request, template, _list_context(request.user.pk))


def _after_marking(request: HtmxHttpRequest) -> HttpResponse:
    if not request.htmx:
        return redirect("notifications:list")
    response = render(request, f"{LIST_TEMPLATE}#notification-list", _list_context(request.user.pk))
    # The bell in the nav listens for this and reloads its count.
    return trigger_client_event(response, "notifications-changed")


@require_POST
@login_required
def notification_read(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Mark one of your notifications read (someone else's id changes nothing)."""
    notifications.notifications_mark_read(user_id=request.user.pk, pk=pk)
    return _after_marking(request)


@require_POST
@login_required
def notifications_read_all(request: HtmxHttpRequest) -> HttpResponse:
    notifications.notifications_mark_read(user_id=request.user.pk)
    return _after_marking(request)


@require_http_methods(["GET", "POST"])
@login_required
def preferences(request: HtmxHttpRequest) -> HttpResponse:
    preference = notifications.preference_of(request.user.pk)
    if request.method == "POST":
        form = NotificationPreferenceForm(request.POST)
        if form.is_valid():
            try:
                notifications.preferences_set(
                    user_id=request.user.pk,
                    email_off=sorted(
                        set(Notification.Kind.values) - set(form.cleaned_data["email_on"])
                    ),
                    digest=form.cleaned_data["digest"],
                    time_zone=form.cleaned_data["time_zone"],
                )
            except ValidationError as exc:
                validation_error_onto_form(form, exc)
            else:
                messages.success(request, "Your notification preferences are saved.")
                return redirect("notifications:preferences")
    else:
        form = NotificationPreferenceForm(
            initial={
                "email_on": [k for k in Notification.Kind.values if k not in preference.email_off],
                "digest": preference.digest,
                "time_zone": preference.time_zone,
            }
        )
    return render(request, "upskill/notifications/preferences.html", {"form": form})


# No session and no CSRF token: RFC 8058's one-click POST comes from the mail client
# itself. The signed token is the authority; GET only shows a confirmation button, so a
# mail scanner that follows links unsubscribes no one.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HtmxHttpRequest, token: str) -> HttpResponse:
    try:
        target = notifications.unsubscribe_read(token)
        if request.method == "POST":
            notifications.unsubscribe_apply(token=token)
    except ValidationError as exc:
        return render(
            request,
            "upskill/notifications/unsubscribe.html",
            {"error": " ".join(exc.messages)},
            status=400,
        )
    labels = [Notification.Kind(kind).label for kind in target.kinds]
    return render(
        request,
        "upskill/notifications/unsubscribe.html",
        {"labels": labels, "done": request.method == "POST", "token": token},
    )


@require_http_methods(["GET", "POST"])
@ld_admin_required
def chat_webhooks(request: HtmxHttpRequest) -> HttpResponse:
    """Each team's Slack or Teams channel for its team-level notifications."""
    if request.method == "POST":
        form = TeamChatWebhookForm(request.POST)
        if form.is_valid():
            try:
                webhook = notifications.team_chat_webhook_save(
                    team=form.cleaned_data["team"],
                    service=form.cleaned_data["service"],
                    url=form.cleaned_data["url"],
                    active=form.cleaned_data["active"],
                    by_user_id=request.user.pk,
                )
            except ValidationError as exc:
                validation_error_onto_form(form, exc)
            else:
                messages.success(request, f"Saved the chat webhook of {webhook.team.name}.")
                return redirect("notifications:chat_webhooks")
    else:
        form = TeamChatWebhookForm()
    page = page_of(
        notifications.team_chat_webhooks(), request, per_page=notifications.WEBHOOKS_PER_PAGE
    )
    return render(
        request,
        "upskill/notifications/chat_webhooks.html",
        {
            "form": form,
            "page": page,
            "rows": notifications.team_chat_webhook_rows(page.object_list),
            "chat_kinds": [Notification.Kind(k).label for k in sorted(notifications.CHAT_KINDS)],
        },
    )


@require_POST
@ld_admin_required
def chat_webhook_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    webhook = get_object_or_404(TeamChatWebhook.objects.select_related("team"), pk=pk)
    notifications.team_chat_webhook_delete(webhook_id=webhook.pk)
    messages.success(request, f"Removed the chat webhook of {webhook.team.name}.")
    return redirect("notifications:chat_webhooks")
