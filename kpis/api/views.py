"""The KPIs as JSON: the same report as the page, for the same reader, period and
slices (issue 15 point 7)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from releasemgmt.api.errors import error_responses
from releasemgmt.apiforms import form_errors, form_serializer

from .. import selectors
from ..flow import WORKING
from ..forms import KpiQueryForm

KpiQuery = form_serializer(KpiQueryForm, "KpiQuery")


def _number(**kwargs):
    return serializers.FloatField(allow_null=True, **kwargs)


class PeriodSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="2026-Q3, 2026-H1, 2026 or custom.")
    label = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField(help_text="Included.")


class FigureSerializer(serializers.Serializer):
    recorded = serializers.BooleanField(help_text="False: the records it counts are not kept yet.")
    value = _number(
        help_text="A percentage, a count or a score; null when not recorded or "
        "when the denominator is 0."
    )
    numerator = serializers.IntegerField(allow_null=True)
    denominator = serializers.IntegerField(allow_null=True)
    link = serializers.CharField(required=False, help_text="The release list behind it.")


class KpiSerializer(FigureSerializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    group = serializers.CharField()
    definition = serializers.CharField()
    percent = serializers.BooleanField()
    numerator_label = serializers.CharField()
    denominator_label = serializers.CharField()
    waits_for = serializers.CharField(help_text="The records a KPI not yet recorded waits for.")
    base_link = serializers.CharField(required=False)
    previous = FigureSerializer()


class QuarterSerializer(serializers.Serializer):
    quarter = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    types = serializers.DictField(child=serializers.IntegerField())
    kpis = serializers.DictField(child=FigureSerializer())


class DoraFigureSerializer(serializers.Serializer):
    value = _number()
    p85 = _number(required=False)
    numerator = serializers.IntegerField(allow_null=True)
    denominator = serializers.IntegerField(allow_null=True, required=False)


class DoraSerializer(DoraFigureSerializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    definition = serializers.CharField()
    link = serializers.CharField()
    previous = DoraFigureSerializer()


class SpreadSerializer(serializers.Serializer):
    n = serializers.IntegerField()
    median = _number(help_text="Hours.")
    p85 = _number(help_text="Hours.")


class StageSpreadSerializer(SpreadSerializer):
    stage = serializers.CharField()
    label = serializers.CharField()


class PartySpreadSerializer(SpreadSerializer):
    party = serializers.CharField()


CumulativeSerializer = type(
    "CumulativeSerializer",
    (serializers.Serializer,),
    {"month": serializers.CharField()} | {s.value: serializers.IntegerField() for s in WORKING},
)


class ReportSerializer(serializers.Serializer):
    period = PeriodSerializer()
    previous = PeriodSerializer()
    kpis = KpiSerializer(many=True)
    trend = QuarterSerializer(many=True)


class FlowReportSerializer(serializers.Serializer):
    period = PeriodSerializer()
    previous = PeriodSerializer()
    estimated_within = serializers.FloatField(
        allow_null=True,
        help_text="Set when medians and percentiles were estimated from the monthly "
        "histograms (more samples than are worked out exactly): their largest error, "
        "in % of the exact figure. Counts are always exact.",
    )
    dora = DoraSerializer(many=True)
    stages = StageSpreadSerializer(many=True)
    threads = PartySpreadSerializer(many=True)
    parties = PartySpreadSerializer(many=True)
    cumulative = CumulativeSerializer(many=True)


def _period(period) -> dict:
    return {"key": period.key, "label": period.label, "start": period.start, "end": period.end}


def _asked(request):
    """The period and slices of the query (400 naming the parameter)."""
    form = KpiQueryForm(request.query_params)
    if not form.is_valid():
        raise ValidationError(form_errors(form))
    data = form.cleaned_data
    slices = selectors.Slices(
        application=data.get("application"),
        thread=data.get("thread"),
        release_type=data.get("release_type") or "",
    )
    return data["range"], slices


def _body(report: dict) -> dict:
    body = dict(report)
    body.pop("slices")
    body["period"], body["previous"] = _period(report["period"]), _period(report["previous"])
    return body


class KpiView(APIView):
    @extend_schema(
        summary="The KPIs",
        parameters=[KpiQuery],
        responses={200: ReportSerializer, **error_responses(400, 401)},
        tags=["kpis"],
        operation_id="kpis",
    )
    def get(self, request, format=None):
        """The eleven KPIs of seed 002 section 5.3 for the period (``period`` 2026-Q3,
        2026-H1, 2026, or ``custom`` with ``start`` and ``end``; the current quarter by
        default) and the one before, with numerator, denominator, definition and the
        link to the releases behind each; their trend over the last eight quarters (the
        DORA keys and the flow of the process: ``/api/v1/kpis/flow/``). Slices:
        ``application``, ``thread``, ``release_type``. A caller who may not see every
        release gets the figures of the releases they may see. 400 naming the
        parameter."""
        report = selectors.report(request.user, *_asked(request))
        return Response(ReportSerializer(_body(report)).data)


class KpiFlowView(APIView):
    @extend_schema(
        summary="The DORA keys and the flow of the process",
        parameters=[KpiQuery],
        responses={200: FlowReportSerializer, **error_responses(400, 401)},
        tags=["kpis"],
        operation_id="kpis_flow",
    )
    def get(self, request, format=None):
        """For the same period and slices as ``/api/v1/kpis/``: the DORA keys, the time
        per stage, the waits for each business thread and party, and the cumulative
        flow. 400 naming the parameter."""
        flow = selectors.flow_report(request.user, *_asked(request))
        return Response(FlowReportSerializer(_body(flow)).data)
