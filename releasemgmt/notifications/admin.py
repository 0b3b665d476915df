from django.contrib import admin, messages

from .models import Communication, Recipient
from .tasks import enqueue


@admin.register(Recipient)
class OutboxAdmin(admin.ModelAdmin):
    """The outbox: one row per addressee, queued, sent or failed (with the reason)."""

    list_display = ["communication", "user", "role", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["status", "communication__activity"]
    list_select_related = ["communication", "user"]
    search_fields = ["user__username", "user__email", "communication__subject"]
    actions = ["retry"]
    readonly_fields = [f.name for f in Recipient._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Retry the failed ones")
    def retry(self, request, queryset):
        failed = queryset.filter(status=Recipient.Status.FAILED)
        ids = set(failed.values_list("communication_id", flat=True))
        count = failed.update(status=Recipient.Status.QUEUED, last_error="")
        for communication_id in ids:
            enqueue(communication_id)
        messages.success(request, f"{count} e-mail(s) queued again.")


@admin.register(Communication)
class CommunicationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "release", "activity", "kind", "subject"]
    list_filter = ["kind", "activity"]
    list_select_related = ["release"]
    readonly_fields = [f.name for f in Communication._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
