"""3rd party developer organisations and their people as master data (issue 13 point 1).
A user of an organisation belongs to its group: the group is what RM.1.2 assigns as the
release's 3rd Party Developers, so a new member sees its releases at once."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from releasemgmt.audit import services as audit

from . import permissions
from .models import Organisation, Party

WHO = (
    "Only the ITSM Configuration Manager, the ITSM Release Manager or a process owner "
    "keeps developer organisations."
)


def _require(user) -> None:
    if not permissions.may_manage_master_data(user):
        raise PermissionDenied(WHO)


def group_name(name: str) -> str:
    return f"3rd party: {name}"


@transaction.atomic
def save_organisation(*, by, name, organisation=None) -> Organisation:
    """Create a developer organisation (with its group), or rename one."""
    _require(by)
    clash = Organisation.objects.filter(name=name).exclude(pk=getattr(organisation, "pk", None))
    if clash.exists() or (
        Group.objects.filter(name=group_name(name))
        .exclude(pk=getattr(organisation, "group_id", None))
        .exists()
    ):
        raise ValidationError({"name": f"An organisation {name} exists already."})
    if organisation is None:
        group = Group.objects.create(name=group_name(name))
        organisation = Organisation.objects.create(
            name=name, party=Party.objects.get(kind=Party.Kind.DEVELOPER), group=group
        )
        audit.record(
            actor=by, action="organisation_created", obj=organisation, after={"name": name}
        )
        return organisation
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = organisation.name
    organisation.name = name
    organisation.save(update_fields=["name"])
    Group.objects.filter(pk=organisation.group_id).update(name=group_name(name))
    audit.record(
        actor=by,
        action="organisation_renamed",
        obj=organisation,
        before={"name": before},
        after={"name": name},
    )
    return organisation


@transaction.atomic
def add_member(organisation, *, by, username, email="", first_name="", last_name=""):
    """A person of the organisation: an existing user joins it, or a new one is created
    (without a password: it is set through the site's password reset or single sign-on).
    One organisation per person, so that no release leaks to another company."""
    _require(by)
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        if not email:
            raise ValidationError({"email": "A new user needs an e-mail address."})
        user = User(username=username, email=email, first_name=first_name, last_name=last_name)
        user.set_unusable_password()
        user.save()
    elif user.groups.filter(organisation__isnull=False).exclude(organisation=organisation).exists():
        raise ValidationError({"username": f"{username} works for another organisation."})
    elif not user.groups.filter(organisation=organisation).exists() and (
        permissions.sees_all_releases(user) or user.groups.filter(party__isnull=False).exists()
    ):
        raise ValidationError(
            {"username": f"{username} holds a party of the service: not a developer."}
        )
    user.groups.add(organisation.group)
    permissions.forget(user)
    audit.record(
        actor=by, action="organisation_member_added", obj=organisation, after={"user": username}
    )
    return user


@transaction.atomic
def remove_member(organisation, *, by, username) -> None:
    """The person leaves the organisation, and with it the releases it is assigned to."""
    _require(by)
    user = get_user_model().objects.filter(username=username, groups=organisation.group).first()
    if user is None:
        raise ValidationError({"username": f"{username} is not a member of {organisation}."})
    user.groups.remove(organisation.group)
    audit.record(
        actor=by,
        action="organisation_member_removed",
        obj=organisation,
        before={"user": username},
    )
