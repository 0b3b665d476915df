from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person using the tool. The parties a user holds are the groups of
    :class:`raci.models.Party` they belong to."""

    class Meta:
        ordering = ["username"]

    def __str__(self):
        return self.get_full_name() or self.username


class CalendarFeed(models.Model):
    """A user's personal calendar feed (``accounts.feeds``). Its address carries ``key``
    with a signature of it made from the site's secret key; neither is a password to
    anything else. A new key (the user regenerates the address) kills the old one."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="calendar_feed")
    key = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Calendar feed of {self.user}"
