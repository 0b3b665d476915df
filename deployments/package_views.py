"""Release packages' pages: the list, a package with its releases side by side, the
form that makes or changes one. Thin: forms in, ``services.packages`` does the work,
``packages`` reads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from raci import permissions as raci
from releasemgmt.forms import GuardedForm
from releasemgmt.web import posted, run_form
from releases.models import Milestone, Release

from . import packages as reads
from .package_forms import PackageForm, PackageReleaseForm
from .services import packages as services

PER_PAGE = 50


@login_required
def package_list(request):
    """The packages holding a release the user may see."""
    page = Paginator(reads.package_list(request.user), PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = reads.with_release_counts(request.user, page.object_list)
    return render(
        request,
        "deployments/packages/list.html",
        {"page": page, "may_manage": raci.may_formalise(request.user)},
    )


def _form_page(request, form, perform, *, title, package=None):
    status = None
    if request.method == "POST":
        saved, status = run_form(form, perform)
        if status is None:
            messages.success(request, f"Package {saved.reference} saved.")
            return redirect("packages:detail", pk=saved.pk)
    context = {"form": form, "title": title, "package": package}
    return render(request, "deployments/packages/form.html", context, status=status)


@login_required
def package_create(request):
    if not raci.may_formalise(request.user):
        raise PermissionDenied(services.MANAGED_BY)
    return _form_page(
        request,
        PackageForm(posted(request)[0], by=request.user),
        lambda data: services.save_package(by=request.user, **data),
        title="New release package",
    )


@login_required
def package_edit(request, pk):
    """Change the package; a new installation window moves its releases' installation."""
    package = reads.visible_package_or_404(request.user, pk)
    if not raci.may_formalise(request.user):
        raise PermissionDenied(services.MANAGED_BY)
    return _form_page(
        request,
        PackageForm(posted(request)[0], package=package),
        lambda data: services.save_package(package, by=request.user, **data),
        title=f"Edit {package.reference}",
        package=package,
    )


def _release_to_add(user, identifier):
    release = raci.visible_releases(user, Release.objects.filter(identifier=identifier)).first()
    if release is None:
        raise ValidationError({"release": "No such release."})
    return release


@login_required
def package_detail(request, pk):
    """The package: its window, whether it may be installed (each release authorised,
    RM.5.2), and its releases side by side: application, stage, each milestone planned
    and actual. The release manager adds a release here (POST)."""
    package = reads.visible_package_or_404(request.user, pk)
    may_manage = raci.may_formalise(request.user)
    form = PackageReleaseForm(posted(request)[0])
    status = None
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied(services.MANAGED_BY)
        member, status = run_form(
            form,
            lambda data: services.add_release(
                package, _release_to_add(request.user, data["release"]), by=request.user
            ),
        )
        if status is None:
            messages.success(request, f"{member.release.identifier} added to the package.")
            return redirect("packages:detail", pk=package.pk)
    return render(
        request,
        "deployments/packages/detail.html",
        {
            "package": package,
            "releases": reads.package_releases(request.user, package),
            "kinds": [label for _, label in Milestone.Kind.choices],
            "authorisation": reads.authorisation(request.user, package),
            "may_manage": may_manage,
            "form": form if may_manage else None,
            "candidates": reads.candidate_releases(request.user, package)[:200]
            if may_manage
            else [],
        },
        status=status,
    )


@login_required
@require_POST
def package_remove_release(request, pk, identifier):
    """Take a release out of the package (while none is installed)."""
    package = reads.visible_package_or_404(request.user, pk)
    release = raci.visible_releases(
        request.user, Release.objects.filter(identifier=identifier)
    ).first()
    if release is None:
        raise PermissionDenied("No such release in this package.")
    form = GuardedForm(request.POST)
    _, status = run_form(
        form, lambda data: services.remove_release(package, release, by=request.user)
    )
    if status is None:
        messages.success(request, f"{identifier} taken out of the package.")
    else:
        for error in form.non_field_errors():
            messages.error(request, error)
    return redirect("packages:detail", pk=package.pk)
