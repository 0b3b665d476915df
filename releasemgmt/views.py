"""The API's own account endpoints: tokens for a username and password, the caller's
tokens, and their revocation."""

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from releasemgmt.accounts import tokens
from releasemgmt.api.errors import error_responses
from releasemgmt.api.parsers import JSONParser
from releasemgmt.api.serializers import InputGuard


@extend_schema_serializer(component_name="AuthToken")  # its name before tokens expired
class CredentialsSerializer(InputGuard, serializers.Serializer):
    """A username and password, with the guard against hostile input of every body."""

    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, style={"input_type": "password"})


class IssuedTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`; shown once.")
    token_key = serializers.CharField(help_text="Its first characters, to recognise and revoke it.")
    expiry = serializers.DateTimeField()


class TokenSerializer(serializers.Serializer):
    token_key = serializers.CharField()
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField()


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class TokenView(APIView):
    """`POST /api/v1/auth/token/`: a new API token for a username and password, throttled
    like the login page. Mounted without the request transaction (see urls.py) so that the
    failed attempts django-axes counts are not rolled back with the 400 that reports them."""

    permission_classes = [AllowAny]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        request=CredentialsSerializer,
        responses={200: IssuedTokenSerializer, **error_responses(400, 409, 415, 429)},
        auth=[],
        tags=["auth"],
    )
    def post(self, request, *args, **kwargs):
        body = CredentialsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = authenticate(request=request, **body.validated_data)
        if user is None:
            # The axes backend flags the request when the pair is locked out.
            if getattr(request, "axes_locked_out", False):
                raise Throttled(
                    wait=settings.AXES_COOLOFF_TIME.total_seconds(),
                    detail="Too many failed logins for this username from this address.",
                )
            raise ValidationError(
                {"non_field_errors": ["Unable to log in with provided credentials."]}
            )
        record, secret = tokens.issue_token(user)
        return Response({"token": secret, "token_key": record.token_key, "expiry": record.expiry})


class TokensView(APIView):
    @extend_schema(
        responses={200: TokenSerializer(many=True), **error_responses(401)},
        tags=["auth"],
        operation_id="list_api_tokens",
    )
    def get(self, request):
        """The caller's API tokens that still work (never their secrets)."""
        return Response(TokenSerializer(tokens.tokens_of(request.user), many=True).data)

    @extend_schema(
        responses={204: None, **error_responses(401)},
        tags=["auth"],
        operation_id="revoke_api_tokens",
    )
    def delete(self, request):
        """Revoke every API token of the caller."""
        tokens.revoke_all_tokens(request.user)
        return Response(status=204)


class TokenDetailView(APIView):
    @extend_schema(
        responses={204: None, **error_responses(401, 404)},
        tags=["auth"],
        operation_id="revoke_api_token",
    )
    def delete(self, request, token_key):
        """Revoke one of the caller's API tokens."""
        tokens.revoke_token(request.user, token_key)
        return Response(status=204)
