"""Load the process shipped in ``raci/data`` into the database.

Used by the data migration and, because it is idempotent, by anything that must
be sure the process is there (the demo data, the test suite after a flush)."""

import uuid

from django.apps import apps as installed_apps
from django.utils.text import slugify

from . import catalogue
from .permissions import Parties, forget_permission_ids, read_permission_ids
from .release_types import DEFAULT_WAIVABLE

PERSON_PARTIES = {Parties.RELEASE_MANAGER, Parties.DEPLOYMENT_COORDINATOR}


def party_kind(name: str) -> str:
    if name.startswith("DG TAXUD"):
        return "business_thread"
    if name.startswith("3rd Party"):
        return "developer"
    return "itsm"


def load_process(apps=None):
    """Create or update parties (with their groups), activities and Table 4-1.

    ``apps`` is the migration state registry; outside migrations the real models
    are used. Returns the number of RACI cells written."""
    migrating = apps is not None
    apps = apps or installed_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Party = apps.get_model("raci", "Party")
    Activity = apps.get_model("raci", "Activity")
    RaciCell = apps.get_model("raci", "RaciCell")

    parties = {}
    for position, name in enumerate(catalogue.party_names(), start=1):
        group, _ = Group.objects.get_or_create(name=name)
        party, _ = Party.objects.update_or_create(
            name=name,
            defaults={
                "slug": slugify(name.removeprefix("DG TAXUD ").replace("/", "-")),
                "kind": party_kind(name),
                "holder": "person" if name in PERSON_PARTIES else "group",
                "position": position,
                "group": group,
            },
        )
        parties[name] = party

    release_ct, _ = ContentType.objects.get_or_create(app_label="releases", model="release")

    def permission(codename, name):
        perm, _ = Permission.objects.get_or_create(
            content_type=release_ct, codename=codename, defaults={"name": name}
        )
        return perm

    perform = dict(catalogue.perform_permissions())
    activities = {}
    for position, row in enumerate(catalogue.activities(), start=1):
        codename = catalogue.perform_codename(row["code"])
        activity, _ = Activity.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "stage": row["stage"],
                "stage_name": row["stage_name"],
                "description": row["description"],
                "position": position,
                "permission": permission(codename, perform[codename]),
            },
        )
        activities[row["code"]] = activity

    written = 0
    _, rows = catalogue.raci_table()
    for row in rows:
        for name, party in parties.items():
            letters = catalogue.normalise_letters(row[name])
            if letters:
                RaciCell.objects.update_or_create(
                    activity=activities[row["activity"]], party=party, defaults={"letters": letters}
                )
                written += 1

    # ITSM staff see every release; business threads and developers only their own.
    view = permission("view_release", "Can view release")
    for party in parties.values():
        if party.kind == "itsm":
            party.group.permissions.add(view)
    table_changed(apps)
    # the activities and permissions may be new rows; a migration's models may not
    # have every column yet, so the ids are read by the first request after it
    if migrating:
        forget_permission_ids()
    else:
        read_permission_ids()
    return written


def table_changed(apps=None) -> None:
    """Give Table 4-1 a new token, in the transaction that changed its parties,
    activities or cells: every web node's copy (``selectors.matrix``) is read again.
    Before the migration that makes the token, there is none to change."""
    try:
        TableVersion = (apps or installed_apps).get_model("raci", "TableVersion")
    except LookupError:
        return
    TableVersion.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4()})


def load_waivable(apps=None) -> None:
    """The activities each release type may waive as a fresh install has them
    (``release_types.DEFAULT_WAIVABLE``); a process owner edits them afterwards."""
    apps = apps or installed_apps
    Activity = apps.get_model("raci", "Activity")
    WaivableActivity = apps.get_model("raci", "WaivableActivity")
    for release_type, codes in DEFAULT_WAIVABLE.items():
        for activity in Activity.objects.filter(code__in=codes):
            WaivableActivity.objects.get_or_create(release_type=release_type, activity=activity)


def ensure_process_loaded() -> None:
    """Load the process unless it is there (a process owner's edits are kept)."""
    Party = installed_apps.get_model("raci", "Party")
    Activity = installed_apps.get_model("raci", "Activity")
    WaivableActivity = installed_apps.get_model("raci", "WaivableActivity")
    if Party.objects.count() < len(catalogue.party_names()) or Activity.objects.filter(
        permission__isnull=False
    ).count() < len(catalogue.activities()):
        load_process()
        if not WaivableActivity.objects.exists():
            load_waivable()
