from django.conf import settings
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import Throttled, ValidationError

from releasemgmt.api.errors import error_responses
from releasemgmt.api.serializers import InputGuard


@extend_schema_serializer(component_name="AuthToken")
class TokenRequestSerializer(InputGuard, AuthTokenSerializer):
    """A username and password, with the guard against hostile input of every body."""


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class TokenView(ObtainAuthToken):
    """`POST /api/v1/auth/token/`: DRF's token for a username and password, throttled like the
    login page. Mounted without the request transaction (see urls.py) so that the failed
    attempts django-axes counts are not rolled back with the 400 that reports them."""

    serializer_class = TokenRequestSerializer

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenRequestSerializer, **error_responses(400, 401, 415, 429)},
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError:
            # The axes backend flags the request when the pair is locked out.
            if getattr(request, "axes_locked_out", False):
                raise Throttled(
                    wait=settings.AXES_COOLOFF_TIME.total_seconds(),
                    detail="Too many failed logins for this username from this address.",
                ) from None
            raise
