from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models


class User(AbstractUser):
    """A person using the tool. The parties a user holds are the groups of
    :class:`raci.models.Party` they belong to."""

    class Meta:
        ordering = ["username"]

    def __str__(self):
        return self.named(self.first_name, self.last_name, self.username)

    @staticmethod
    def named(first_name: str, last_name: str, username: str) -> str:
        """How the site names a user: their full name, else their username; for the
        lists that read users as values, not instances."""
        return f"{first_name} {last_name}".strip() or username


class CalendarFeed(models.Model):
    """A user's personal calendar feed (``accounts.feeds``). Its address carries ``key``
    with a signature of it made from the site's secret key; neither is a password to
    anything else. A new key (the user regenerates the address) kills the old one."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="calendar_feed")
    key = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Calendar feed of {self.user}"


class PersonalLink(models.Model):
    """A link mailed to one user to do one thing from the mail (answer a survey, later
    decide GO/NOGO): ``purpose`` names the thing, ``target`` what it is about. It knows
    nothing of the domain. Only a digest of its secret is kept; the signed token is in
    the mail alone. It acts once (``used_at``), until ``expires_at``, and a newer link
    for the same purpose, target and user supersedes it (``superseded_at``)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="personal_links")
    purpose = models.CharField(max_length=50)
    target_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, related_name="+"
    )
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the secret.")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["purpose", "target_type", "target_id", "user"])]

    def __str__(self):
        return f"{self.purpose} link of {self.user}"
