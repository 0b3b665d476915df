"""What every record of the process shares."""

from django.conf import settings
from django.db import models

USER = settings.AUTH_USER_MODEL


class Performed(models.Model):
    """Who recorded this and when."""

    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self._meta.verbose_name.capitalize()} of {self.release.identifier}"
