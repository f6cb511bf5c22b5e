"""What a KPI may be narrowed to (Filters) and broken down by (GROUPINGS)."""

from dataclasses import asdict, dataclass, fields
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from opsdesk.core.choices import Tier
from opsdesk.core.errors import Invalid
from opsdesk.incidents.choices import Channel

TIME_GROUPINGS = ("day", "week", "month", "quarter")
GROUPINGS = ("team", "resolver_role", "customer", "service", "category", "priority",
             "channel", *TIME_GROUPINGS)
ID_FILTERS = ("team", "customer", "service", "category")


@dataclass(frozen=True)
class Filters:
    team: int | None = None
    customer: int | None = None
    service: int | None = None
    category: int | None = None
    priority: int | None = None
    channel: str | None = None
    resolver_role: str | None = None

    @classmethod
    def parse(cls, query) -> "Filters":
        values, errors = {}, {}
        for name in (*ID_FILTERS, "priority"):
            text = (query.get(name) or "").strip()
            if not text:
                continue
            if not text.isdigit() or (name == "priority" and not 1 <= int(text) <= 4):
                errors[name] = (_("Choose a priority from 1 to 4.") if name == "priority"
                                else _("Must be a number."))
                continue
            values[name] = int(text)
        for name, choices in (("channel", Channel), ("resolver_role", Tier)):
            text = (query.get(name) or "").strip()
            if not text:
                continue
            if text not in choices.values:
                errors[name] = _("Choose one of: %(options)s.") % {
                    "options": ", ".join(choices.values)}
                continue
            values[name] = text
        if errors:
            raise Invalid(fields=errors)
        return cls(**values)

    def active(self) -> dict:
        """The filters that are set, by name."""
        return {name: value for name, value in asdict(self).items() if value is not None}

    def query_string(self) -> str:
        return urlencode(self.active())


FILTER_NAMES = tuple(field.name for field in fields(Filters))


def parse_group_by(text: str | None) -> str | None:
    if not text:
        return None
    if text not in GROUPINGS:
        raise Invalid(fields={"group_by": _("Choose one of: %(options)s.") % {
            "options": ", ".join(GROUPINGS)}})
    return text
