"""Release packages through the API, with the rules and errors of the pages: a package
is seen by whoever may see one of its releases, and shows only those releases."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from raci import permissions as raci
from releasemgmt.api.errors import error_responses
from releasemgmt.api.parsers import JSONParser
from releasemgmt.apiforms import form_errors, form_input, form_request
from releases.models import Release

from .. import packages as reads
from ..models import ReleasePackage
from ..package_forms import PackageForm, PackageReleaseForm
from ..services import packages as services

TAGS = ["packages"]


class PackageReleaseSerializer(serializers.ModelSerializer):
    application = serializers.CharField(source="application.code")

    class Meta:
        model = Release
        fields = ["identifier", "name", "application", "stage", "planned_installation_date"]


class PackageSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username")
    releases = serializers.SerializerMethodField(
        help_text="The package's releases the caller may see."
    )
    authorised = serializers.SerializerMethodField(
        help_text="Each release of the package is authorised for installation (RM.5.2)."
    )
    waiting = serializers.SerializerMethodField(
        help_text="The releases the caller may see whose installation is not yet authorised."
    )

    class Meta:
        model = ReleasePackage
        fields = [
            "id",
            "reference",
            "name",
            "description",
            "owner",
            "installation_starts_at",
            "installation_ends_at",
            "releases",
            "authorised",
            "waiting",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @property
    def _state(self):
        return self.context.get("authorisation") or {}

    def get_releases(self, package) -> list[dict]:
        return PackageReleaseSerializer(self.context.get("releases", []), many=True).data

    def get_authorised(self, package) -> bool:
        return bool(self._state.get("authorised"))

    def get_waiting(self, package) -> list[str]:
        return list(self._state.get("waiting", []))


class PackageRowSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username")
    release_count = serializers.IntegerField(
        help_text="How many of its releases the caller may see."
    )

    class Meta:
        model = ReleasePackage
        fields = [
            "id",
            "reference",
            "name",
            "owner",
            "installation_starts_at",
            "installation_ends_at",
            "release_count",
        ]
        read_only_fields = fields


PackageRequest = form_request(PackageForm, "PackageRequest")
PackageReleaseRequest = form_request(PackageReleaseForm, "PackageReleaseRequest")


def package_response(request, package, status=200) -> Response:
    context = {
        "releases": reads.package_releases(request.user, package),
        "authorisation": reads.authorisation(request.user, package),
    }
    package = ReleasePackage.objects.select_related("owner").get(pk=package.pk)
    return Response(PackageSerializer(package, context=context).data, status=status)


def _bound(form_class, request, base=None, **kwargs):
    data, files = form_input(form_class, request)
    if base is not None:
        data = base | {key: data[key] for key in data}
    form = form_class(data=data, files=files, **kwargs)
    if not form.is_valid():
        raise ValidationError(form_errors(form))
    return form.cleaned_data


class PackageAPIView(GenericAPIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    serializer_class = PackageSerializer
    queryset = ReleasePackage.objects.none()  # the reads narrow it per user

    def package(self, pk):
        return reads.visible_package_or_404(self.request.user, pk)

    def require_manager(self):
        """Packages are made and changed by the release managers (403 for the others)."""
        if not raci.may_formalise(self.request.user):
            raise PermissionDenied(services.MANAGED_BY)


class PackagesView(PackageAPIView):
    """The release packages the caller may see; make one (the release managers)."""

    serializer_class = PackageRowSerializer

    @extend_schema(
        responses={200: PackageRowSerializer(many=True), **error_responses(401, 404)}, tags=TAGS
    )
    def get(self, request):
        page = reads.with_release_counts(
            request.user, self.paginate_queryset(reads.package_list(request.user))
        )
        return self.get_paginated_response(PackageRowSerializer(page, many=True).data)

    @extend_schema(
        request=PackageRequest,
        responses={201: PackageSerializer, **error_responses(400, 401, 403, 409, 415)},
        tags=TAGS,
    )
    def post(self, request):
        self.require_manager()
        data = _bound(PackageForm, request)
        package = services.save_package(by=request.user, **data)
        return package_response(request, package, status=201)


def _current(package) -> dict:
    """The package's values as a body gives them: a PATCH changes what it names."""
    moment = {
        f: getattr(package, f).isoformat() if getattr(package, f) else ""
        for f in ("installation_starts_at", "installation_ends_at")
    }
    return {
        "reference": package.reference,
        "name": package.name,
        "description": package.description,
        "owner": package.owner.username,
        **moment,
    }


class PackageView(PackageAPIView):
    """A package with its releases (those the caller may see) and whether it may be
    installed; change it (the release managers): a new installation window moves the
    installation milestone of each of its releases."""

    @extend_schema(responses={200: PackageSerializer, **error_responses(401, 404)}, tags=TAGS)
    def get(self, request, pk):
        return package_response(request, self.package(pk))

    @extend_schema(
        request=PackageRequest,
        responses={200: PackageSerializer, **error_responses(400, 401, 403, 404, 409, 415)},
        tags=TAGS,
    )
    def patch(self, request, pk):
        package = self.package(pk)
        self.require_manager()
        data = _bound(PackageForm, request, base=_current(package))
        package = services.save_package(package, by=request.user, **data)
        return package_response(request, package)


class PackageReleasesView(PackageAPIView):
    """Put a release in the package (the release managers)."""

    @extend_schema(
        request=PackageReleaseRequest,
        responses={201: PackageSerializer, **error_responses(400, 401, 403, 404, 409, 415)},
        tags=TAGS,
    )
    def post(self, request, pk):
        package = self.package(pk)
        self.require_manager()
        identifier = _bound(PackageReleaseForm, request)["release"]
        release = raci.visible_releases(
            request.user, Release.objects.filter(identifier=identifier)
        ).first()
        if release is None:
            raise ValidationError({"release": ["No such release."]})
        services.add_release(package, release, by=request.user)
        return package_response(request, package, status=201)


class PackageReleaseView(PackageAPIView):
    """Take a release out of the package (the release managers)."""

    @extend_schema(
        request=None,
        responses={200: PackageSerializer, **error_responses(401, 403, 404, 409)},
        tags=TAGS,
    )
    def delete(self, request, pk, identifier):
        package = self.package(pk)
        release = get_object_or_404(
            raci.visible_releases(request.user, Release.objects.all()),
            identifier=identifier,
            package_member__package=package,
        )
        self.require_manager()
        services.remove_release(package, release, by=request.user)
        return package_response(request, package)
