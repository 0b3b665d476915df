"""The API's JSON parser: DRF's, with a body nested deeper than Python's parser can
follow refused as the parse error it is (a 400), where ``RecursionError`` escaped as a
500 (``[`` 200,000 times, 400 KB: under the size limit)."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON parse error - nested too deeply.") from exc
