"""The append-only audit log: who did what to which record, when, before and after."""

from django.conf import settings
from django.db import models


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an audit entry."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The audit log is append-only.")

    def delete(self):
        raise AppendOnlyError("The audit log is append-only.")

    _raw_delete = delete


class AuditEntry(models.Model):
    """One change to one record. Entries are only ever inserted: the model, its
    queryset and (on PostgreSQL) a trigger refuse updates and deletes."""

    timestamp = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(
        max_length=300, blank=True, help_text="The actor's name when it happened (kept as it was)."
    )
    actor_groups = models.CharField(
        max_length=1000,
        blank=True,
        help_text="The parties (groups) the actor held when it happened, as they were.",
    )
    deputy_of = models.CharField(
        max_length=300,
        blank=True,
        help_text="Whom the actor stood in for, as a deputy (issue 16 point 4).",
    )
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    release = models.ForeignKey(
        "releases.Release", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changes = models.JSONField(default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-timestamp", "-id"]
        indexes = [
            models.Index(fields=["release", "-timestamp"]),
            models.Index(fields=["object_type", "object_id"]),
            # The RACI matrix's history reads one action across all releases.
            models.Index(fields=["action", "-timestamp"]),
        ]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"{self.timestamp:%Y-%m-%d %H:%M} {self.who} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The audit log is append-only.")

    @property
    def who(self) -> str:
        """Who did it, as they were called then (entries from before the name was kept
        show the account's current name)."""
        name = self.actor_name or (str(self.actor) if self.actor_id else "system")
        return f"{name}, deputy of {self.deputy_of}" if self.deputy_of else name
