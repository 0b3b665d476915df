from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import slug_re
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from releasemgmt.api.errors import error_responses
from releasemgmt.apiforms import form_errors, form_input, form_request

from .. import organisations, permissions, selectors, services
from ..forms import MemberForm, OrganisationForm
from ..models import Activity, Organisation, Party
from ..release_types import RULES, ReleaseType
from .serializers import (
    ActivitySerializer,
    OrganisationSerializer,
    PartySerializer,
    PersonSerializer,
    RaciCellSerializer,
    ReleaseTypeSerializer,
    WaivableSerializer,
)


@extend_schema_view(
    list=extend_schema(responses={200: PartySerializer(many=True), **error_responses(401)}),
    retrieve=extend_schema(responses={200: PartySerializer, **error_responses(401, 404)}),
)
class PartyViewSet(viewsets.ReadOnlyModelViewSet):
    """The 16 parties of Table 4-1."""

    queryset = Party.objects.all()
    serializer_class = PartySerializer
    lookup_field = "slug"
    pagination_class = None


@extend_schema_view(
    list=extend_schema(responses={200: ActivitySerializer(many=True), **error_responses(401)}),
    retrieve=extend_schema(responses={200: ActivitySerializer, **error_responses(401, 404)}),
)
class ActivityViewSet(viewsets.ReadOnlyModelViewSet):
    """The 24 activities of section 4.4 with their row of Table 4-1."""

    queryset = Activity.objects.prefetch_related("cells__party", "waivers")
    serializer_class = ActivitySerializer
    lookup_field = "code"
    lookup_value_regex = "RM\\.[0-9]\\.[0-9]"
    pagination_class = None

    @extend_schema(
        request=RaciCellSerializer,
        responses={200: ActivitySerializer, **error_responses(400, 401, 403, 404, 415)},
    )
    @action(detail=True, methods=["put"], url_path="raci/(?P<party>[-a-z0-9]+)")
    def set_cell(self, request, code, party, format=None):
        """A process owner sets one cell of Table 4-1 (empty letters clear it)."""
        activity = self.get_object()
        party = get_object_or_404(Party, slug=party)
        serializer = RaciCellSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.set_raci_cell(
            by=request.user,
            activity=activity,
            party=party,
            letters=serializer.validated_data["letters"],
        )
        return Response(ActivitySerializer(self.get_queryset().get(pk=activity.pk)).data)

    @extend_schema(
        request=WaivableSerializer,
        responses={200: ActivitySerializer, **error_responses(400, 401, 403, 404, 415)},
    )
    @action(
        detail=True,
        methods=["put"],
        url_path="waivable/(?P<release_type>[a-z]+)",
        url_name="set-waivable",
    )
    def set_waivable(self, request, code, release_type, format=None):
        """A process owner says whether releases of a type may waive the activity."""
        activity = self.get_object()
        if release_type not in ReleaseType.values:
            raise NotFound("No such release type.")
        serializer = WaivableSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.set_waivable(
            by=request.user,
            activity=activity,
            release_type=release_type,
            waivable=serializer.validated_data["waivable"],
        )
        return Response(ActivitySerializer(self.get_queryset().get(pk=activity.pk)).data)


@extend_schema_view(
    list=extend_schema(responses={200: OrganisationSerializer(many=True), **error_responses(401)}),
    retrieve=extend_schema(responses={200: OrganisationSerializer, **error_responses(401, 404)}),
)
class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """The 3rd party developer organisations, for RM.1.2's ``developers``."""

    queryset = Organisation.objects.order_by("name")
    serializer_class = OrganisationSerializer
    lookup_field = "name"
    pagination_class = None

    @extend_schema(
        request=form_request(OrganisationForm, "OrganisationRequest"),
        responses={201: OrganisationSerializer, **error_responses(400, 401, 403, 415)},
    )
    def create(self, request, *args, **kwargs):
        """Add a developer organisation (the keepers of the master data, issue 13)."""
        if not permissions.may_manage_master_data(request.user):
            raise PermissionDenied(organisations.WHO)
        data, _ = form_input(OrganisationForm, request)
        form = OrganisationForm(data=data)
        if not form.is_valid():
            raise DjangoValidationError(form_errors(form))
        saved = organisations.save_organisation(by=request.user, **form.cleaned_data)
        return Response(OrganisationSerializer(saved).data, status=201)


class OrganisationMemberSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField(source="get_full_name")
    email = serializers.CharField()


class OrganisationMembersView(APIView):
    def _organisation(self, request, name):
        organisation = get_object_or_404(Organisation, name=name)
        if not permissions.may_see_organisation_members(request.user):
            raise PermissionDenied("Only the ITSM staff see who works for an organisation.")
        return organisation

    @extend_schema(
        responses={200: OrganisationMemberSerializer(many=True), **error_responses(401, 403, 404)}
    )
    def get(self, request, name):
        """The people of a developer organisation."""
        organisation = self._organisation(request, name)
        return Response(
            OrganisationMemberSerializer(selectors.members(organisation), many=True).data
        )

    @extend_schema(
        request=form_request(MemberForm, "MemberRequest"),
        responses={201: OrganisationMemberSerializer, **error_responses(400, 401, 403, 404, 415)},
    )
    def post(self, request, name):
        """Add a person to the organisation: an existing user by ``username``, or a new
        one (``email`` then required)."""
        organisation = self._organisation(request, name)
        data, _ = form_input(MemberForm, request)
        form = MemberForm(data=data)
        if not form.is_valid():
            raise DjangoValidationError(form_errors(form))
        user = organisations.add_member(organisation, by=request.user, **form.cleaned_data)
        return Response(OrganisationMemberSerializer(user).data, status=201)


class OrganisationMemberView(APIView):
    @extend_schema(responses={204: None, **error_responses(400, 401, 403, 404)})
    def delete(self, request, name, username):
        """The person leaves the organisation (and its releases)."""
        organisation = get_object_or_404(Organisation, name=name)
        organisations.remove_member(organisation, by=request.user, username=username)
        return Response(status=204)


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter("party", str, description="Only the holders of this party (slug).")
        ],
        responses={200: PersonSerializer(many=True), **error_responses(400, 401, 403, 404)},
    )
)
class PeopleView(ListAPIView):
    """Active users and the parties they hold, for the forms that name someone (RM.1.2's
    deployment coordinator, a task's assignee, RM.7.1's campaign coordinator). Names are
    for the ITSM staff who fill those forms."""

    serializer_class = PersonSerializer
    queryset = get_user_model().objects.none()

    def get_queryset(self):
        if not permissions.sees_all_releases(self.request.user):
            raise PermissionDenied("Only ITSM staff look people up.")
        people = get_user_model().objects.filter(is_active=True).order_by("username")
        slug = self.request.query_params.get("party")
        if slug:
            people = people.filter(groups__party__slug=self._party(slug))
        return people.prefetch_related(
            Prefetch("groups", queryset=Group.objects.select_related("party"))
        )

    @staticmethod
    def _party(slug: str) -> str:
        """The slug of an existing party, else a 400 naming ``party`` (a NUL in it reached
        the database and failed there; a typo answered nobody)."""
        known = len(slug) <= Party._meta.get_field("slug").max_length and slug_re.match(slug)
        if not known or not Party.objects.filter(slug=slug).exists():
            raise serializers.ValidationError(
                {"party": ["No such party: give a party's slug, as /api/v1/raci/parties/ lists."]}
            )
        return slug


@extend_schema(responses={200: ReleaseTypeSerializer(many=True), **error_responses(401)})
class ReleaseTypesView(APIView):
    """The release types, what each changes in the path and what it may waive."""

    def get(self, request, format=None):
        activities = {a.id: a.code for a in Activity.objects.all()}
        waivable = selectors.waivable()
        rows = [
            {
                "code": t.value,
                "label": t.label,
                **vars(RULES[t]),
                "waivable": [
                    code for aid, code in activities.items() if t.value in waivable.get(aid, ())
                ],
            }
            for t in ReleaseType
        ]
        return Response(ReleaseTypeSerializer(rows, many=True).data)
