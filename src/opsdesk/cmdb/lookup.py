"""Finding the other item of a relationship form: by part of its name for
the picker (nobody remembers whether it was `vm-web-01` or `vm-web01` among
thousands of items), and by the name finally typed or picked.

On PostgreSQL a trigram index on UPPER(name) (migration 0003) serves both
steps. The order is on an expression no b-tree covers, on purpose: otherwise
the planner may walk the name index in order hoping to meet matches early,
which reads every row for a rare fragment."""

from django.db.models.functions import Upper
from django.utils.translation import gettext as _

from opsdesk.core.errors import Invalid
from opsdesk.core.models import CiStatus, ConfigurationItem

from . import queries

LIMIT = 20
# Shorter fragments are looked up as name prefixes only: "contains" would
# match most items, and a trigram index cannot narrow it.
CONTAINS_FROM = 3
# How many items spelled alike an error message names at most.
ALIKE_SHOWN = 5


def matching_cis(user, fragment: str, *, besides: ConfigurationItem | None = None) -> list:
    """Up to LIMIT items the user may see whose name starts with `fragment`
    in any case, then (from CONTAINS_FROM characters) items whose name
    contains it, each group in alphabetical order. Retired items are not
    offered, nor `besides` (an item is never related to itself)."""
    visible = queries.visible_cis(user)
    fragment = fragment.strip()
    if not fragment:
        return []
    # Ids first: sorting the matches joined to their type, team … takes twice as long.
    names = visible.select_related(None).exclude(status=CiStatus.RETIRED) \
        .order_by(Upper("name"), "name").values_list("pk", flat=True)
    if besides is not None:
        names = names.exclude(pk=besides.pk)
    ids = list(names.filter(name__istartswith=fragment)[:LIMIT])
    if len(ids) < LIMIT and len(fragment) >= CONTAINS_FROM:
        ids += names.filter(name__icontains=fragment) \
            .exclude(name__istartswith=fragment)[:LIMIT - len(ids)]
    found = visible.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]  # one may be deleted meanwhile


def named(user, name: str) -> ConfigurationItem:
    """The item the user may see called `name`: exactly so, else in any case
    when only one is. Invalid (on the relationship's target) when none or
    several are."""
    name = name.strip()
    items = queries.visible_cis(user)
    exact = items.filter(name=name).first()
    if exact is not None:
        return exact
    alike = list(items.filter(name__iexact=name)[:ALIKE_SHOWN])
    if len(alike) == 1:
        return alike[0]
    if not alike:
        message = _("No configuration item is called “%(name)s”.") % {"name": name}
    else:
        message = _("Several configuration items are called “%(name)s” apart from upper "
                    "and lower case (%(names)s): type the exact name.") % {
            "name": name, "names": ", ".join(sorted(item.name for item in alike))}
    raise Invalid(fields={"target": message})
