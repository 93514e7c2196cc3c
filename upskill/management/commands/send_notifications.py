from django.core.management.base import BaseCommand

from upskill import notifications


class Command(BaseCommand):
    help = (
        "Run every app's due-notification job now (what beat runs every 15 minutes), then "
        "email everything due, post what is due to team chat webhooks, and print what was "
        "created and sent."
    )

    def handle(self, *args, **options):
        created = notifications.notifications_due_run()
        for name, count in created.items():
            self.stdout.write(f"{name}: {count} notifications created")
        failed = False
        try:
            result = notifications.notification_emails_send()
        except notifications.EmailDeliveryFailed as exc:
            self.stderr.write(f"Some emails failed and stay pending for the next run: {exc}")
            failed = True
        else:
            self.stdout.write(
                f"Emails sent: {result.emails_sent} ({result.notifications_sent} notifications); "
                f"held for tomorrow's batch: {result.waiting}; not emailed by choice or for "
                f"leavers: {result.skipped}"
            )
        try:
            chat = notifications.team_chat_posts_send()
        except notifications.ChatDeliveryFailed as exc:
            self.stderr.write(f"Some chat posts failed and stay pending for the next run: {exc}")
            failed = True
        else:
            self.stdout.write(
                f"Chat posts sent: {chat.sent}; refused by the service: {chat.refused}; "
                f"no active webhook: {chat.skipped}"
            )
        if failed:
            raise SystemExit(1)
