from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A person using the tool. The parties a user holds are the groups of
    :class:`raci.models.Party` they belong to."""

    class Meta:
        ordering = ["username"]

    def __str__(self):
        return self.get_full_name() or self.username
