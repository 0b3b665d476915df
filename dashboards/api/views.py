"""The calendar's entries for its page (and any other client)."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from releasemgmt.api.errors import error_responses

from .. import calendar
from .serializers import CalendarQuerySerializer, CalendarSerializer


class CalendarView(APIView):
    @extend_schema(
        summary="The calendar",
        parameters=[CalendarQuerySerializer],
        responses={200: CalendarSerializer, **error_responses(400, 401)},
        tags=["calendar"],
        operation_id="calendar",
    )
    def get(self, request, format=None):
        """The milestones of the releases the caller may see (delivery, kick-off, pSAT,
        SAT, installation, conformance testing), the windows of the changes on the
        change schedule they may see, and the occurrences of the blackout and
        maintenance windows, that meet [start, end). An installation still to come is
        flagged when it has a conflict; a cancelled release's milestones are marked.
        Each kind is given by its start, up to its limit (500 milestones, 300 change
        windows, 300 window occurrences; the earliest first, or, asked day by day, the
        first of each day): ``truncated`` says a filter or a shorter range would show
        more. ``layer`` asks for one layer (the page asks for each on its own, side by
        side); ``per_day`` asks a range of at most 62 days day by day (the page's month:
        the first entries of each day, and how many more in ``more``).
        400 naming the parameter for a missing or bad start or end, a range over the
        longest, or ``per_day`` out of its bounds or for a longer range."""
        query = CalendarQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = dict(query.validated_data)
        start, end = values.pop("start"), values.pop("end")
        layer, per_day = values.pop("layer", None), values.pop("per_day", None)
        filters = calendar.Filters(**values)
        events, truncated, more = calendar.entries(
            request.user, start, end, filters, layer, per_day
        )
        return Response({"events": events, "truncated": truncated, "more": more})
