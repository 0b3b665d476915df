"""What the caller owes now, with due dates (issue 16 point 3)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from deployments.models import DECISION_ACTIVITY, Decision
from deployments.services.links import activity_link, decision_link
from releasemgmt.api.errors import error_responses

from .. import selectors

LATENESS = [("late", "Past its due date"), ("today", "Due today"), ("", "Not yet due")]


class OwedActivitySerializer(serializers.Serializer):
    release = serializers.CharField(source="release.identifier")
    activity = serializers.CharField(source="activity.code", help_text="RM.x.y")
    name = serializers.CharField(source="activity.name")
    due_date = serializers.DateField(allow_null=True, help_text="From the plan and the policy.")
    lateness = serializers.ChoiceField(choices=LATENESS)
    link = serializers.SerializerMethodField(help_text="Where to perform it.")

    def get_link(self, record) -> str:
        return activity_link(record.release, record.activity.code)


class OwedDecisionSerializer(serializers.Serializer):
    release = serializers.CharField(source="release.identifier")
    thread = serializers.CharField(source="thread.short_name", help_text="The business thread.")
    kind = serializers.ChoiceField(choices=Decision.Kind.choices)
    label = serializers.CharField()
    activity = serializers.SerializerMethodField(help_text="The activity it is taken in.")
    due_date = serializers.DateField(help_text="From what it rests on and the policy.")
    lateness = serializers.ChoiceField(choices=LATENESS)
    link = serializers.SerializerMethodField(help_text="Where to decide.")

    def get_activity(self, owed) -> str:
        return DECISION_ACTIVITY[owed["kind"]]

    def get_link(self, owed) -> str:
        return decision_link(owed["release"], owed["kind"])


class OwedSerializer(serializers.Serializer):
    activities = OwedActivitySerializer(many=True)
    more_activities = serializers.BooleanField(help_text="More activities are owed than listed.")
    decisions = OwedDecisionSerializer(many=True)
    more_decisions = serializers.BooleanField(
        help_text="More decisions may be owed than listed, on releases installed later "
        "(the approvals page pages through them all)."
    )


class OwedView(APIView):
    @extend_schema(
        summary="What the caller owes now, with due dates",
        responses={200: OwedSerializer, **error_responses(401)},
        tags=["messages"],
        operation_id="owed",
    )
    def get(self, request, format=None):
        """The open activities the caller is R or A for and the decisions their business
        thread owes, each with its due date (from the release plan and the application's
        policy) and whether it is late, the earliest due first: up to 50 of each, and
        whether more of either are owed."""
        return Response(OwedSerializer(selectors.owed_by(request.user)).data)
