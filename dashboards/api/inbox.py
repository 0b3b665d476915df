"""The inbox through the API: the caller's messages, filtered and paged as on the page,
read and unread marks, and the counts of the navigation. Another user's message is a
404."""

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from releasemgmt.api.errors import error_responses
from releasemgmt.notifications import services

from .. import inbox as selectors
from .serializers import (
    InboxCountsSerializer,
    InboxPageQuerySerializer,
    InboxQuerySerializer,
    MessagePageSerializer,
    MessageSerializer,
    ReadAllSerializer,
)

TAGS = ["messages"]


def _filters(serializer_class, data) -> selectors.Filters:
    query = serializer_class(data=data)
    query.is_valid(raise_exception=True)
    return selectors.Filters.of(query.validated_data)


class MessagesView(APIView):
    @extend_schema(
        summary="Your messages",
        parameters=[InboxPageQuerySerializer],
        responses={200: MessagePageSerializer, **error_responses(400, 401)},
        tags=TAGS,
        operation_id="messages",
    )
    def get(self, request, format=None):
        """The caller's messages, newest first, 50 a page, filtered as on the page; each
        says whether it is read and whether it needs the caller's action now. Pages are
        not counted: ``next`` says whether an older page exists. 400 naming the
        parameter for a bad filter."""
        query = InboxPageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = selectors.Filters.of(query.validated_data)
        page = selectors.inbox_page(request.user, filters, query.validated_data.get("page", 1))
        url = request.build_absolute_uri()
        previous = None
        if page.has_previous:
            previous = (
                replace_query_param(url, "page", page.number - 1)
                if page.number > 2
                else remove_query_param(url, "page")
            )
        return Response(
            {
                "next": replace_query_param(url, "page", page.number + 1)
                if page.has_next
                else None,
                "previous": previous,
                "results": MessageSerializer(page.rows, many=True).data,
            }
        )


class MessageReadView(APIView):
    @extend_schema(
        summary="Mark a message read",
        request=None,
        responses={200: MessageSerializer, **error_responses(401, 404)},
        tags=TAGS,
        operation_id="message_read",
    )
    def post(self, request, pk, format=None):
        """Mark one of the caller's messages read (the first reading is kept)."""
        row = services.mark_read(selectors.message(request.user, pk))
        return Response(MessageSerializer(selectors.MessageRow.of(row)).data)


class MessageUnreadView(APIView):
    @extend_schema(
        summary="Mark a message unread",
        request=None,
        responses={200: MessageSerializer, **error_responses(401, 404)},
        tags=TAGS,
        operation_id="message_unread",
    )
    def post(self, request, pk, format=None):
        """Put one of the caller's messages back among the unread."""
        row = services.mark_unread(selectors.message(request.user, pk))
        return Response(MessageSerializer(selectors.MessageRow.of(row)).data)


class ReadAllView(APIView):
    @extend_schema(
        summary="Mark all read",
        parameters=[InboxQuerySerializer],
        request=None,
        responses={200: ReadAllSerializer, **error_responses(400, 401)},
        tags=TAGS,
        operation_id="messages_read_all",
    )
    def post(self, request, format=None):
        """Mark read every unread message of the caller, or those the filters (in the
        query) show. 400 naming the parameter for a bad filter."""
        filters = _filters(InboxQuerySerializer, request.query_params)
        owed = selectors.owed_now(request.user) if filters.needs_action else None
        marked = services.mark_all_read(selectors.messages(request.user, filters, owed))
        return Response({"marked": marked})


class CountsView(APIView):
    @extend_schema(
        summary="Unread messages and actions owed",
        responses={200: InboxCountsSerializer, **error_responses(401)},
        tags=TAGS,
        operation_id="messages_counts",
    )
    def get(self, request, format=None):
        """What the navigation shows: the caller's unread messages and actions owed."""
        return Response(asdict(selectors.counts(request.user)))
