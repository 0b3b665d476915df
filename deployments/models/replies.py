"""Replies to the mails that ask for a decision (issue 16 point 2): every mail the tool
receives, kept once as it came (its raw bytes and their SHA-256), with what became of
it: a decision recorded, or a place in the deployment coordinator's queue with the
reason, until someone records it by hand or dismisses it."""

from django.db import models

from .base import USER


class InboundMail(models.Model):
    class Status(models.TextChoices):
        RECORDED = "recorded", "Recorded as the thread's decision"
        QUEUED = "queued", "Waiting for the deployment coordinator"
        SUSPICIOUS = "suspicious", "Suspicious: forged or altered reply address"
        HANDLED = "handled", "Recorded by hand"
        DISMISSED = "dismissed", "Dismissed"

    #: what waits in the coordinator's queue
    OPEN = (Status.QUEUED, Status.SUSPICIOUS)

    message_id = models.CharField(max_length=250, blank=True)
    sha256 = models.CharField(max_length=64)
    raw = models.FileField(upload_to="inbound/%Y/%m/")
    size = models.PositiveBigIntegerField()
    envelope_from = models.CharField(max_length=254, blank=True)
    envelope_to = models.CharField(max_length=1000, blank=True)
    sender = models.CharField(max_length=254, blank=True, help_text="The From address.")
    subject = models.CharField(max_length=250, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    request = models.ForeignKey(
        "DecisionRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replies",
    )
    sender_user = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    reason = models.TextField(blank=True, help_text="Why it waits for a person.")
    decision = models.OneToOneField(
        "Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="reply"
    )
    handled_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    dismiss_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["message_id", "sha256"], name="inbound_mail_once")
        ]
        indexes = [models.Index(fields=["status", "-received_at"])]

    def __str__(self):
        return f"Mail from {self.sender or self.envelope_from}: {self.subject}"

    @property
    def waiting(self) -> bool:
        return self.status in self.OPEN
