"""The API's JSON parser: what json.loads accepts but the portal cannot use is a 400, not a 500."""
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32  # the deepest body the API takes is a few levels: a list of objects of lists


def _check(data):
    """Walks the parsed body without recursion: too deep, or a NUL in a key or a string, is refused."""
    todo = [(data, 1)]
    while todo:
        value, depth = todo.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise ParseError(_("Dữ liệu chứa ký tự không hợp lệ (ký tự NUL)."))
        elif isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise ParseError(_("Dữ liệu JSON lồng nhau quá sâu."))
            items = value.items() if isinstance(value, dict) else ((None, v) for v in value)
            for key, item in items:
                if key is not None and "\x00" in key:
                    raise ParseError(_("Dữ liệu chứa ký tự không hợp lệ (ký tự NUL)."))
                todo.append((item, depth + 1))


class JSONParser(parsers.JSONParser):
    """DRF's parser, and a body nested deeper than MAX_DEPTH (json.loads raises RecursionError
    at some thousand levels) or holding a NUL character answers 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("Dữ liệu JSON lồng nhau quá sâu.")) from None
        _check(data)
        return data
