"""The API's exports: ``?format=csv`` (the default) or ``?format=xlsx`` picks the file
(``releasemgmt.exports``); an error still answers with its JSON body."""

import json

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.renderers import BaseRenderer, JSONRenderer


class _FileRenderer(BaseRenderer):
    """Lets content negotiation accept the format; the view answers with the file
    itself, so only an error body (JSON) is ever rendered here."""

    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return json.dumps(data).encode()


class CSVRenderer(_FileRenderer):
    media_type = "text/csv"
    format = "csv"


class XLSXRenderer(_FileRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"


#: CSV first: the default; JSON last, for the error bodies (a file is never JSON: the
#: views give CSV unless XLSX is asked for)
RENDERERS = [CSVRenderer, XLSXRenderer, JSONRenderer]


def file_format(request) -> str:
    """The file the negotiated renderer stands for: xlsx, else csv."""
    return "xlsx" if request.accepted_renderer.format == "xlsx" else "csv"


FORMAT_PARAMETER = OpenApiParameter(
    "format",
    str,
    enum=["csv", "xlsx"],
    description="csv (the default, streamed) or xlsx.",
)
FILE_RESPONSES = {
    (200, CSVRenderer.media_type): OpenApiResponse(OpenApiTypes.STR, description="CSV"),
    (200, XLSXRenderer.media_type): OpenApiResponse(OpenApiTypes.BINARY, description="XLSX"),
}
