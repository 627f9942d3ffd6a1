"""The raw statements of the respondents' hot path (the link's lookup, the submission).

On PostgreSQL each is prepared once per database connection and then executed by name:
planning the lookup's join costs the server more than running it, on every request.
SURVEY_PREPARED_STATEMENTS = False turns this off (a pooler in transaction mode, such as
PgBouncer before 1.21, hands statements to other server connections).
"""
import itertools
import re
import weakref

from django.conf import settings

_PLACEHOLDER = re.compile(r"%s")
_PREPARED: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def execute(cursor, name: str, sql: str, params: list) -> None:
    """`cursor.execute(sql, params)`, prepared as `name` on PostgreSQL."""
    db = cursor.db
    if db.vendor != "postgresql" or not getattr(settings, "SURVEY_PREPARED_STATEMENTS", True):
        cursor.execute(sql, params)
        return
    raw = db.connection
    names = _PREPARED.get(raw)
    if names is None:
        names = _PREPARED[raw] = set()
    if name not in names:
        numbers = itertools.count(1)
        cursor.execute(f"PREPARE {name} AS " + _PLACEHOLDER.sub(lambda _m: f"${next(numbers)}", sql))
        names.add(name)
    cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}", params)
