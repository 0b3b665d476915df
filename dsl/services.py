"""Writes of the definitive software library: components (RM.2.3) and documents (RM.2.4)
stored with their SHA-256, and what the DSL lacks of what a release expects."""

from django.core.exceptions import ValidationError
from django.db import transaction

from raci import permissions
from releasemgmt.audit import services as audit
from releasemgmt.errors import Conflict
from releases.models import Stage
from releases.services import lock

from .configuration import register_delivered
from .library import apply_retention
from .models import Component, Document


@transaction.atomic
def store_component(release, *, by, name, version, file) -> Component:
    """RM.2.3: a delivered component goes into the DSL with its SHA-256."""
    release = lock(release)
    permissions.require_perform(by, release, "RM.2.3")
    if release.stage not in (Stage.RECEIVING, Stage.KICKOFF, Stage.ACCEPTANCE):
        raise Conflict("Components are stored in the DSL while the release is received.")
    if Component.objects.filter(release=release, name=name, version=version).exists():
        raise ValidationError({"name": f"{name} {version} is already in the DSL."})
    component = Component.store(file, release=release, name=name, version=version, uploaded_by=by)
    audit.record(
        actor=by,
        action="component_stored",
        obj=component,
        release=release,
        after={"name": name, "version": version, "sha256": component.sha256},
    )
    register_delivered(component, by=by)
    return component


@transaction.atomic
def store_document(release, *, by, title, kind, file) -> Document:
    """RM.2.4: release documentation kept in the DSL."""
    release = lock(release)
    permissions.require_perform(by, release, "RM.2.4")
    if not release.is_open:
        raise Conflict(f"{release.identifier} is {release.get_stage_display().lower()}.")
    document = Document.store(file, release=release, title=title, kind=kind, uploaded_by=by)
    audit.record(
        actor=by,
        action="document_stored",
        obj=document,
        release=release,
        after={"title": title, "kind": kind, "sha256": document.sha256},
    )
    apply_retention(release.application, by=by)
    return document


def missing_from_dsl(release, expected) -> list[str]:
    """Of ``expected`` (name, version) pairs, those with no component of the release in
    the DSL, as 'name version'."""
    stored = set(Component.objects.filter(release=release).values_list("name", "version"))
    return [f"{name} {version}" for name, version in expected if (name, version) not in stored]


def has_installation_document(release) -> bool:
    """RM.2.4: the installation document is among the release's documents."""
    return Document.objects.filter(release=release, kind=Document.Kind.INSTALLATION).exists()
