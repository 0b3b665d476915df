"""The API of the master data: applications (read by all, kept by the configuration
manager and the release manager), their environments with what each runs now, and one
environment's timeline (issue 13 points 1 and 5). The web pages' forms parse the input."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from raci import permissions
from raci.models import Party
from releasemgmt.api.errors import error_responses
from releasemgmt.apiforms import form_errors, form_input, form_request
from releases import applications
from releases.models import Application

from .. import environment_selectors as selectors
from .. import environments
from ..environment_forms import ApplicationChangeForm, ApplicationForm, EnvironmentForm, VersionForm

TAGS = ["applications"]


class ApplicationSerializer(serializers.ModelSerializer):
    business_threads = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = Application
        fields = ["code", "name", "description", "business_threads"]


class EnvironmentSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    owner_user = serializers.CharField(source="owner_user.username", allow_null=True)
    owner_party = serializers.CharField(source="owner_party.slug", allow_null=True)
    status = serializers.CharField()
    status_note = serializers.CharField()
    current_version = serializers.CharField(allow_null=True)
    current_release = serializers.CharField(
        allow_null=True, help_text="Its identifier, when you may see that release."
    )
    current_since = serializers.DateTimeField(allow_null=True)
    current_activity = serializers.CharField(allow_null=True)


class InstalledVersionSerializer(serializers.Serializer):
    version = serializers.CharField()
    installed_at = serializers.DateTimeField()
    activity = serializers.CharField(help_text="RM.3.3, RM.6.5, RM.6.4, or blank: by hand.")
    release = serializers.CharField(
        source="release_identifier",
        allow_null=True,
        help_text="Its identifier, when you may see that release.",
    )
    recorded_by = serializers.CharField(source="recorded_by.username", allow_null=True)
    rolled_back_at = serializers.DateTimeField(allow_null=True)
    note = serializers.CharField()


def _require(user):
    if not permissions.may_manage_master_data(user):
        raise PermissionDenied(applications.WHO)


def _bind(form_class, request, initial=None, **kwargs):
    data, _ = form_input(form_class, request)
    if initial is not None:
        data = {**initial, **{k: data[k] for k in data}}
    form = form_class(data=data, **kwargs)
    if not form.is_valid():
        raise ValidationError(form_errors(form))
    return form.cleaned_data


def _applications():
    return Application.objects.prefetch_related(
        Prefetch("business_threads", queryset=Party.objects.order_by("position"))
    )


class ApplicationsView(generics.ListAPIView):
    serializer_class = ApplicationSerializer

    def get_queryset(self):
        return _applications()

    @extend_schema(
        responses={200: ApplicationSerializer(many=True), **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request, *args, **kwargs):
        """Applications under release management, with their default business threads."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=form_request(ApplicationForm, "ApplicationRequest"),
        responses={201: ApplicationSerializer, **error_responses(400, 401, 403, 415)},
        tags=TAGS,
    )
    def post(self, request):
        """Create an application (the configuration manager or the release manager)."""
        _require(request.user)
        data = _bind(ApplicationForm, request)
        saved = applications.save_application(by=request.user, **data)
        return Response(
            ApplicationSerializer(_applications().get(pk=saved.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class ApplicationView(APIView):
    @extend_schema(responses={200: ApplicationSerializer, **error_responses(401, 404)}, tags=TAGS)
    def get(self, request, code):
        """One application."""
        return Response(ApplicationSerializer(get_object_or_404(_applications(), code=code)).data)

    @extend_schema(
        request=form_request(ApplicationChangeForm, "ApplicationChangeRequest"),
        responses={200: ApplicationSerializer, **error_responses(400, 401, 403, 404, 415)},
        tags=TAGS,
    )
    def patch(self, request, code):
        """Change its name, description or default business threads (its code is
        fixed); what is not sent is kept."""
        application = get_object_or_404(_applications(), code=code)
        _require(request.user)
        current = {
            "name": application.name,
            "description": application.description,
            "business_threads": [p.slug for p in application.business_threads.all()],
        }
        data = _bind(ApplicationChangeForm, request, current)
        applications.save_application(by=request.user, application=application, **data)
        return Response(ApplicationSerializer(_applications().get(pk=application.pk)).data)


def _environment(application, env):
    found = selectors.environment(application, env)
    if found is None:
        raise Http404("No such environment.")
    return found


def _environment_row(user, application, slug):
    rows = selectors.with_releases_shown(
        user, selectors.environments_of(application).filter(slug=slug)
    )
    return EnvironmentSerializer(rows[0]).data


class EnvironmentsView(APIView):
    @extend_schema(
        responses={200: EnvironmentSerializer(many=True), **error_responses(401, 404)}, tags=TAGS
    )
    def get(self, request, code):
        """The application's environments side by side, with the version each runs now."""
        application = get_object_or_404(Application, code=code)
        rows = selectors.with_releases_shown(request.user, selectors.environments_of(application))
        return Response(EnvironmentSerializer(rows, many=True).data)

    @extend_schema(
        request=form_request(EnvironmentForm, "EnvironmentRequest"),
        responses={201: EnvironmentSerializer, **error_responses(400, 401, 403, 404, 415)},
        tags=TAGS,
    )
    def post(self, request, code):
        """Describe a new environment of the application."""
        application = get_object_or_404(Application, code=code)
        _require(request.user)
        data = _bind(EnvironmentForm, request)
        saved = environments.save_environment(application, by=request.user, **data)
        return Response(
            _environment_row(request.user, application, saved.slug),
            status=status.HTTP_201_CREATED,
        )


class EnvironmentView(APIView):
    @extend_schema(responses={200: EnvironmentSerializer, **error_responses(401, 404)}, tags=TAGS)
    def get(self, request, code, env):
        """One environment, with the version it runs now."""
        application = get_object_or_404(Application, code=code)
        _environment(application, env)
        return Response(_environment_row(request.user, application, env))

    @extend_schema(
        request=form_request(EnvironmentForm, "EnvironmentChangeRequest"),
        responses={200: EnvironmentSerializer, **error_responses(400, 401, 403, 404, 415)},
        tags=TAGS,
    )
    def patch(self, request, code, env):
        """Change an environment: its status (available, booked, down) with a note, its
        owner, its name; what is not sent is kept."""
        application = get_object_or_404(Application, code=code)
        environment = _environment(application, env)
        _require(request.user)
        current = {
            "slug": environment.slug,
            "name": environment.name,
            "kind": environment.kind,
            "owner_user": environment.owner_user.username if environment.owner_user else "",
            "owner_party": environment.owner_party.slug if environment.owner_party else "",
            "status": environment.status,
            "status_note": environment.status_note,
        }
        data = _bind(EnvironmentForm, request, current)
        saved = environments.save_environment(
            application, by=request.user, environment=environment, **data
        )
        return Response(_environment_row(request.user, application, saved.slug))


class EnvironmentHistoryView(APIView):
    @extend_schema(
        responses={200: InstalledVersionSerializer(many=True), **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request, code, env):
        """The environment's timeline, newest first: each version installed, when, by
        which release and activity, and when it was rolled back."""
        environment = _environment(get_object_or_404(Application, code=code), env)
        lines = selectors.timeline(request.user, environment)
        return Response(InstalledVersionSerializer(lines, many=True).data)

    @extend_schema(
        request=form_request(VersionForm, "InstalledVersionRequest"),
        responses={201: InstalledVersionSerializer, **error_responses(400, 401, 403, 404, 415)},
        tags=TAGS,
    )
    def post(self, request, code, env):
        """Record a version installed outside a release (the keepers of the master
        data)."""
        environment = _environment(get_object_or_404(Application, code=code), env)
        _require(request.user)
        data = _bind(VersionForm, request)
        environments.record_version(environment, by=request.user, **data)
        line = selectors.timeline(request.user, environment, limit=1)[0]
        return Response(InstalledVersionSerializer(line).data, status=status.HTTP_201_CREATED)
