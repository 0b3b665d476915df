"""The definitive software library. For now: the applications that releases ship."""

from django.db import models


class Application(models.Model):
    """An application under release management (for example ECS or NCTS)."""

    code = models.SlugField(
        max_length=30, unique=True, help_text="Short code used in release identifiers."
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code.upper()} - {self.name}"
