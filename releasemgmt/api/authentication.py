"""The API's token authentication: django-rest-knox's, which reads only a token it could
have made. A secret is hex digits behind an optional prefix; anything with a character
outside printable ASCII was decoded as UTF-8 (a byte such as é's failed to decode) or
sent to PostgreSQL (a NUL, which it refuses): a 500 instead of the 401 of a bad token."""

import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.settings import CONSTANTS, knox_settings
from rest_framework import exceptions

#: what a token knox makes can look like: its prefix, then hex digits
LONGEST = CONSTANTS.MAXIMUM_TOKEN_PREFIX_LENGTH + knox_settings.AUTH_TOKEN_CHARACTER_LENGTH
PRINTABLE = re.compile(rb"[\x21-\x7e]{1,%d}" % LONGEST)


class TokenAuthentication(KnoxTokenAuthentication):
    def authenticate_credentials(self, token: bytes):
        if not PRINTABLE.fullmatch(token):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return super().authenticate_credentials(token)


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI schema's token scheme (``knoxApiToken``), for this class as for knox's."""

    target_class = "releasemgmt.api.authentication.TokenAuthentication"
