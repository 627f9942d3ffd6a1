"""The raw statements of the respondents' hot path (the link's lookup, the submission).

On PostgreSQL each is prepared once per database connection and then executed by name:
planning the lookup's join costs the server more than running it, on every request.
SURVEY_PREPARED_STATEMENTS = False turns this off (a pooler in transaction mode, such as
PgBouncer before 1.21, hands statements to other server connections).
"""
import itertools
import re
import threading
import weakref
from contextlib import nullcontext

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

_PLACEHOLDER = re.compile(r"%s")
_NAMED = re.compile(r"%\((\w+)\)s")
_PREPARED: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_ARGUMENTS: dict[str, str] = {}  # a named statement's EXECUTE arguments, in its parameters' order
_KEPT = threading.local()  # per thread, as Django's connections: (raw connection, its kept cursor)


def cursor():
    """A cursor for the hot path's statements, kept for the thread's PostgreSQL connection:
    making Django's cursor (and its wrapper) twice a request costs more than a statement's
    own client work. Not to be closed, so not used in `with`. A fresh cursor elsewhere, and
    where queries are logged (DEBUG, tests that count them)."""
    db = connections[DEFAULT_DB_ALIAS]
    raw = db.connection
    if raw is None or db.vendor != "postgresql" or db.queries_logged:
        return db.cursor()
    kept = getattr(_KEPT, "pair", None)
    if kept is None or kept[0] is not raw or kept[1].cursor.closed:
        kept = _KEPT.pair = (raw, db.cursor())  # a new connection: the old pair (and its cursor) goes
    return kept[1]


def execute(cursor, name: str, sql: str, params: list | dict) -> None:
    """`cursor.execute(sql, params)`, prepared as `name` on PostgreSQL. Parameters are
    positional (%s) or named (%(name)s, given as a dict; a name may appear several times,
    and is sent once)."""
    db = cursor.db
    if db.vendor != "postgresql" or not getattr(settings, "SURVEY_PREPARED_STATEMENTS", True):
        cursor.execute(sql, params)
        return
    raw = db.connection
    names = _PREPARED.get(raw)
    if names is None:
        names = _PREPARED[raw] = set()
    if name not in names:
        if isinstance(params, dict):
            order = list(dict.fromkeys(_NAMED.findall(sql)))
            text = _NAMED.sub(lambda m: f"${order.index(m.group(1)) + 1}", sql)
            _ARGUMENTS[name] = ", ".join(f"%({key})s" for key in order)
        else:
            numbers = itertools.count(1)
            text = _PLACEHOLDER.sub(lambda _m: f"${next(numbers)}", sql)
            _ARGUMENTS[name] = ", ".join(["%s"] * len(params))
        cursor.execute(f"PREPARE {name} AS {text}")
        names.add(name)
    arguments = _ARGUMENTS[name]
    cursor.execute(f"EXECUTE {name} ({arguments})" if arguments else f"EXECUTE {name}", params or None)


def fetchone(name: str, sql: str, params: list | dict, *, write: bool = False):
    """The first row of a hot-path statement run with the kept cursor (execute, prepared as
    `name` on PostgreSQL). A `write` inside a caller's transaction runs in a savepoint, so
    that a failing statement does not spoil the caller's transaction."""
    db = connections[DEFAULT_DB_ALIAS]
    with transaction.atomic() if write and db.in_atomic_block else nullcontext():
        kept = cursor()
        execute(kept, name, sql, params)
        return kept.fetchone()
