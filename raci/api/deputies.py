"""Deputies through the API (issue 16 point 4): the same form, services and reads as
the page at ``/account/deputies/``."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from releasemgmt.api.errors import error_responses
from releasemgmt.apiforms import form_errors, form_input, form_request

from .. import deputies, selectors
from ..forms import DeputyForm
from ..models import Delegation


class DelegationSerializer(serializers.ModelSerializer):
    principal = serializers.CharField(source="principal.username")
    deputy = serializers.CharField(source="deputy.username")
    created_by = serializers.CharField(source="created_by.username")
    revoked_by = serializers.CharField(source="revoked_by.username", default=None)
    state = serializers.SerializerMethodField()

    class Meta:
        model = Delegation
        fields = [
            "id",
            "principal",
            "deputy",
            "starts",
            "ends",
            "reason",
            "state",
            "created_by",
            "created_at",
            "revoked_at",
            "revoked_by",
        ]

    def get_state(self, obj) -> str:
        """active, upcoming, over or revoked (today, in the site's time zone)."""
        return obj.state_on(timezone.localdate())


class DeputiesView(APIView):
    @extend_schema(
        responses={200: DelegationSerializer(many=True), **error_responses(401)},
        tags=["deputies"],
    )
    def get(self, request):
        """The delegations you gave and received (an administrator: everyone's)."""
        rows = selectors.delegations_visible_to(request.user)[:500]
        return Response(DelegationSerializer(rows, many=True).data)

    @extend_schema(
        request=form_request(DeputyForm, "NameDeputyRequest"),
        responses={201: DelegationSerializer, **error_responses(400, 401, 403, 409, 415)},
        tags=["deputies"],
    )
    def post(self, request):
        """Name a deputy for a period (days included). ``principal`` is for
        administrators, who name one for anyone; 409 when the period meets another
        deputy's of the same principal."""
        data, _ = form_input(DeputyForm, request)
        form = DeputyForm(data=data)
        if not form.is_valid():
            raise DjangoValidationError(form_errors(form))
        given = form.cleaned_data
        delegation = deputies.name_deputy(
            by=request.user,
            principal=given.get("principal") or request.user,
            deputy=given["deputy"],
            starts=given["starts"],
            ends=given["ends"],
            reason=given["reason"],
        )
        return Response(DelegationSerializer(delegation).data, status=201)


class RevokeDeputyView(APIView):
    @extend_schema(
        request=None,
        responses={200: DelegationSerializer, **error_responses(401, 403, 404, 409)},
        tags=["deputies"],
    )
    def post(self, request, pk):
        """End a delegation now (its principal, its deputy or an administrator); someone
        else's answers 404."""
        delegation = get_object_or_404(selectors.delegations_visible_to(request.user), pk=pk)
        delegation = deputies.revoke_delegation(delegation, by=request.user)
        return Response(DelegationSerializer(delegation).data)
