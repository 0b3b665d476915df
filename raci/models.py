"""Parties, activities, Table 4-1 and who holds which party on which release."""

import uuid

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from .catalogue import perform_codename
from .release_types import ReleaseType


class Party(models.Model):
    """A column of Table 4-1. Users hold a party by belonging to its group."""

    class Kind(models.TextChoices):
        ITSM = "itsm", "ITSM role"
        BUSINESS_THREAD = "business_thread", "DG TAXUD business thread"
        DEVELOPER = "developer", "3rd party developers"

    class Holder(models.TextChoices):
        PERSON = "person", "a named person"
        GROUP = "group", "the party's team"

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    holder = models.CharField(
        max_length=10,
        choices=Holder.choices,
        help_text="How a release names this party (RM.1.2): a person, or the whole team.",
    )
    position = models.PositiveSmallIntegerField()
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="party")

    class Meta:
        ordering = ["position"]
        verbose_name_plural = "parties"

    def __str__(self):
        return self.name

    @property
    def is_external(self):
        """Business threads and 3rd party developers see only their own releases."""
        return self.kind != self.Kind.ITSM

    @property
    def short_name(self):
        return self.name.removeprefix("ITSM ").removeprefix("DG TAXUD ")


class Organisation(models.Model):
    """A 3rd party developer organisation: its users hold the 3rd Party Developers
    party on exactly the releases it is assigned to (RM.1.2)."""

    name = models.CharField(max_length=100, unique=True)
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="organisations")
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="organisation")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Activity(models.Model):
    """One of the 24 activities of section 4.4 (RM.1.1 ... RM.7.2)."""

    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=100)
    stage = models.PositiveSmallIntegerField()
    stage_name = models.CharField(max_length=50)
    description = models.TextField()
    position = models.PositiveSmallIntegerField()
    permission = models.ForeignKey(
        Permission,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The per-release object permission 'perform this activity'.",
    )

    class Meta:
        ordering = ["position"]
        verbose_name_plural = "activities"

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def codename(self):
        return perform_codename(self.code)

    @property
    def anchor(self):
        return self.code.lower().replace(".", "-")


class RaciCell(models.Model):
    """A non-empty cell of Table 4-1: the letters a party holds for an activity."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="cells")
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="cells")
    letters = models.CharField(max_length=4)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "party"], name="raci_cell_unique"),
        ]

    def __str__(self):
        return f"{self.activity.code} / {self.party}: {self.letters}"

    @property
    def may_perform(self):
        """R or A may perform the activity (section 3 of DESIGN)."""
        return "R" in self.letters or "A" in self.letters


class TableVersion(models.Model):
    """One row whose token changes in the transaction of every change to Table 4-1 (its
    parties, activities or cells): each web node keeps the table it read with the token
    it read, and reads the table again once the token differs (issue 17). A fresh
    token, not a counter: a change rolled back must not leave another node's copy
    matching the next change's number."""

    token = models.UUIDField(default=uuid.uuid4)

    def __str__(self):
        return str(self.token)


class WaivableActivity(models.Model):
    """An activity a release of one type may waive, with a reason, and catch up after its
    installation (issue 12 point 5): process data like Table 4-1, edited by the process
    owner. Who waives is still Table 4-1's R or A for the activity."""

    release_type = models.CharField(max_length=10, choices=ReleaseType.choices)
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="waivers")

    class Meta:
        ordering = ["activity__position", "release_type"]
        constraints = [
            models.UniqueConstraint(fields=["release_type", "activity"], name="waivable_once"),
        ]

    def __str__(self):
        return f"{self.activity.code} waivable for {self.get_release_type_display()} releases"


class Assignment(models.Model):
    """RM.1.2: who holds a party on a release, a named person or a group of users."""

    release = models.ForeignKey(
        "releases.Release", on_delete=models.CASCADE, related_name="assignments"
    )
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.PROTECT, related_name="assignments"
    )

    class Meta:
        ordering = ["party__position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(user__isnull=False, group__isnull=True)
                    | models.Q(user__isnull=True, group__isnull=False)
                ),
                name="assignment_user_xor_group",
            ),
            models.UniqueConstraint(
                fields=["release", "party", "user"], name="assignment_unique_user"
            ),
            models.UniqueConstraint(
                fields=["release", "party", "group"], name="assignment_unique_group"
            ),
        ]
        indexes = [
            # a holder's releases, read from the index alone (the activities waiting),
            # and whether they hold a party anywhere, one probe a party (the Move2Run
            # items owed: reading the release manager's 5,000 assignments to find their
            # one party took 8.3 ms at 100,000 releases, 0.1 by party; issue 17)
            models.Index(
                fields=["user", "party", "release"],
                name="assignment_by_user",
                condition=models.Q(user__isnull=False),
            ),
            # with its party and id: a thread's decisions owed read its 2,000 holdings
            # from the index alone, not from 700 pages of the table (issue 17)
            models.Index(
                fields=["group", "release"],
                include=["party", "id"],
                name="assignment_by_group",
                condition=models.Q(group__isnull=False),
            ),
            # a release's first person named for a party, from the index alone: the
            # calendar asks for the coordinator of each of a month's 1,700 installations
            # (``deployments.conflicted``), 19.5 ms at 100,000 releases, 12.5 with it
            # (issue 17)
            models.Index(
                fields=["release", "party", "id"],
                include=["user"],
                name="assignment_first_person",
                condition=models.Q(user__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.party}: {self.holder_name}"

    @property
    def holder_name(self):
        return str(self.user) if self.user_id else self.group.name


class ReleaseUserObjectPermission(UserObjectPermissionBase):
    """guardian's direct foreign-key table for per-release user permissions."""

    content_object = models.ForeignKey("releases.Release", on_delete=models.CASCADE)


class ReleaseGroupObjectPermission(GroupObjectPermissionBase):
    """guardian's direct foreign-key table for per-release group permissions."""

    content_object = models.ForeignKey("releases.Release", on_delete=models.CASCADE)


class Delegation(models.Model):
    """A deputy named for a period (issue 16 point 4): from ``starts`` to ``ends``
    (both days included, the site's time zone) the deputy receives a copy of the mails
    addressed to the principal and holds the principal's parties on the principal's
    releases, and nothing more: a party the principal holds everywhere (to formalise a
    release, to change Table 4-1) does not pass. Any active user may be named; what
    they may do comes only from the principal's assignments. Revoked, it ends at once;
    the row stays as the record of who stood in for whom."""

    principal = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_given"
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_received"
    )
    starts = models.DateField(help_text="The first day the deputy stands in.")
    ends = models.DateField(help_text="The last day the deputy stands in.")
    reason = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-starts", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__gte=models.F("starts")), name="delegation_ends_after"
            ),
            models.CheckConstraint(
                condition=~models.Q(deputy=models.F("principal")), name="delegation_not_self"
            ),
        ]
        indexes = [
            # who a user stands in for today: read on every request that asks a permission
            models.Index(fields=["deputy", "ends", "starts"], name="delegation_deputy_now"),
            # who stands in for the addressees of a mail; overlapping periods
            models.Index(fields=["principal", "ends", "starts"], name="delegation_principal_now"),
        ]

    def __str__(self):
        return f"{self.deputy} deputy of {self.principal} ({self.starts} to {self.ends})"

    def is_active_on(self, day) -> bool:
        return self.revoked_at is None and self.starts <= day <= self.ends

    def state_on(self, day) -> str:
        """revoked, over, upcoming or active, as the pages and the API say it."""
        if self.revoked_at is not None:
            return "revoked"
        if self.ends < day:
            return "over"
        return "upcoming" if self.starts > day else "active"
