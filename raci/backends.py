"""The authentication back end: Django's model back end, with each request's user read
together with what nearly every page asks of them first (issue 17).

Every page asks whether the user sees every release (a model permission: Django reads
the user's own permissions and their groups' in two queries) and whom they stand in for
today (a delegation, one query), and most which parties the user holds through their
groups (one more): five queries with the user's own, 6 to 9 ms of each request at
10,000 releases on a slow machine before the page's own work. On PostgreSQL they are
one query, arrays of subqueries beside the user's row, and the answers are kept where
Django's model back end and ``raci.permissions`` look for them: the same answers as
theirs. Making that query with the ORM costs more than running it (6 ms against 2), so
its SQL is made once a day per process, with a stand-in for the user's id, and
PostgreSQL plans it once per connection (``releasemgmt.prepared``). Elsewhere
(SQLite) the user is read as Django reads it, and the rest when first asked (which
releases they see, then, as one who holds view rows in several ways)."""

import json
from functools import lru_cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connection
from django.db.models import Exists, F, OuterRef, Value
from django.db.models.functions import Concat, JSONObject
from django.utils import timezone

from releasemgmt import prepared

from .permissions import (
    PRINCIPAL_FIELDS,
    held_parties_of,
    remember_held_parties,
    remember_principals,
    remember_view_holders,
    standing_in_today,
    view_holders_of,
    view_permission,
)

#: the stand-in for the user's id in the SQL kept per day: no account has it
ANY_USER = -(2**62) - 17
#: the ids a key can hold (the prepared statement's parameter is of the key's type)
BIGINT = (-(2**63), 2**63 - 1)


class UserWithPermissionsBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            user_id = get_user_model()._meta.pk.to_python(user_id)
        except ValidationError:  # an id no account can have
            return None
        if not BIGINT[0] <= user_id <= BIGINT[1]:  # nor one past the key's type
            return None
        if connection.vendor != "postgresql":
            return super().get_user(user_id)
        today = timezone.localdate()
        name = prepared.statement(*_query(today, tuple(view_permission().items())), ANY_USER)
        users = get_user_model()._default_manager.raw(f"EXECUTE {name}(%s)", [user_id])
        user = next(iter(users), None)
        if user is None or not self.user_can_authenticate(user):
            return None
        own, groups = user.__dict__.pop("own_permissions"), user.__dict__.pop("groups_permissions")
        standing_in = _rows(user.__dict__.pop("standing_in"))
        held = _rows(user.__dict__.pop("held_parties"))
        viewing_groups = user.__dict__.pop("viewing_groups")
        views_in_person = user.__dict__.pop("views_in_person")
        if not user.is_superuser:  # a superuser holds every permission: Django lists them
            user._user_perm_cache, user._group_perm_cache = set(own), set(groups)
            user._perm_cache = {*own, *groups}
        remember_principals(
            user,
            today,
            [tuple(row[name] for name in PRINCIPAL_FIELDS) for row in standing_in],
        )
        remember_held_parties(user, [(row["name"], row["kind"]) for row in held])
        remember_view_holders(user, viewing_groups, views_in_person)
        return user


@lru_cache(maxsize=2)
def _query(today, view) -> tuple[str, tuple]:
    """The SQL and parameters of the user's row with their own permissions, their
    groups', the principals they stand in for on ``today``, the parties they hold and
    who holds their view rows (``raci.permissions.remember_view_holders``); ``ANY_USER``
    in place of their id. Kept per day and per ``view``, the filter of the view
    permission the SQL holds (its id, read again when migrations run)."""
    viewing_groups, in_person = view_holders_of(OuterRef("pk"))
    users = (
        get_user_model()
        ._default_manager.filter(pk=ANY_USER)
        .order_by()
        .annotate(
            own_permissions=ArraySubquery(_dotted(user=OuterRef("pk"))),
            groups_permissions=ArraySubquery(_dotted(group__user=OuterRef("pk"))),
            standing_in=ArraySubquery(
                standing_in_today(OuterRef("pk"), today).values(
                    row=JSONObject(**{name: name for name in PRINCIPAL_FIELDS})
                )
            ),
            held_parties=ArraySubquery(
                held_parties_of(OuterRef("pk")).values(row=JSONObject(name="name", kind="kind"))
            ),
            viewing_groups=ArraySubquery(viewing_groups),
            views_in_person=Exists(in_person),
        )
    )
    sql, params = users.query.sql_with_params()
    if [param == ANY_USER for param in params].count(True) != 1:
        # the id is no longer a parameter as the ORM writes it (another type of key?)
        raise ImproperlyConfigured("The user's query does not take the user's id once.")
    return sql, params


def _rows(values) -> list[dict]:
    """The JSON objects of an array read from PostgreSQL (text or already decoded, as the
    driver gives them)."""
    return [json.loads(row) if isinstance(row, str) else row for row in values]


def _dotted(**held_by):
    """The "app_label.codename" of the permissions held as ``held_by`` says, as Django's
    model back end names them."""
    return (
        Permission.objects.filter(**held_by)
        .order_by()
        .values(dotted=Concat(F("content_type__app_label"), Value("."), F("codename")))
    )
