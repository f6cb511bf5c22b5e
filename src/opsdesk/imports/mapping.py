"""The mapping file (TOML) that says how another tool's CSV export becomes
OpsDesk incidents: which column feeds which field, how values translate, how
dates are written, the file's encoding and the column naming the ticket.

The ServiceNow format is such a mapping shipped with OpsDesk
(fixtures/servicenow.toml); a mapping given with it on the command line is
laid over it, so a site only writes what its export adds (its closure codes,
its group names). README section "History import" documents every key."""

import string
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.utils.translation import gettext as _

from opsdesk.core.choices import Tier

from .reading import UnreadableFile

BUILT_IN = Path(__file__).with_name("fixtures")

TEXT, TIME, COUNT, BOOL, CHOICE, PRIORITY, ENTITY, PERSON = (
    "text", "time", "count", "bool", "choice", "priority", "entity", "person")
FIELD_KINDS = {
    "key": TEXT, "title": TEXT, "description": TEXT, "symptoms": TEXT, "solution": TEXT,
    "reporter_name": TEXT, "reporter_email": TEXT, "reporter_phone": TEXT,
    "system_type": TEXT, "failure_vendor": TEXT,
    "event_at": TIME, "occurred_at": TIME, "registered_at": TIME, "resolved_at": TIME,
    "closed_at": TIME,
    "status": CHOICE, "kind": CHOICE, "channel": CHOICE, "impact": CHOICE, "urgency": CHOICE,
    "closure_code": CHOICE, "priority": PRIORITY,
    "category": ENTITY, "team": ENTITY, "ci": ENTITY, "service": ENTITY, "customer": ENTITY,
    "assignee": PERSON, "resolved_by": PERSON, "actor": PERSON,
    "reassignment_count": COUNT, "reopen_count": COUNT,
    "made_sla": BOOL, "resolve_breached": BOOL, "used_knowledge": BOOL,
}
TEMPLATE_FIELDS = ("title", "description", "symptoms")
# What --create-missing may create: configuration, never people or customers.
REQUIRED = ("key", "event_at", "status", "impact", "urgency", "channel", "registered_at",
            "occurred_at")
CREATABLE = frozenset({"category", "team", "ci"})
TOP_LEVEL = frozenset({"source", "encoding", "delimiter", "empty", "date_formats", "timezone",
                       "fields", "templates", "values", "defaults", "create"})


@dataclass
class Mapping:
    source: str
    encoding: str = "utf-8"
    delimiter: str = ","
    empty: frozenset[str] = frozenset()
    date_formats: list[str] = field(default_factory=list)
    zone: ZoneInfo = None
    fields: dict[str, list[str]] = field(default_factory=dict)
    templates: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    team_tier: str = Tier.L2
    ci_type: str = "application"

    def required_columns(self) -> set[str]:
        """The columns without which no event can be read."""
        return {column for name in REQUIRED for column in self.fields.get(name, [])}

    def columns(self) -> set[str]:
        """Every column the mapping reads: the header must have them all."""
        used = {column for columns in self.fields.values() for column in columns}
        for template in self.templates.values():
            used |= {name for _text, name, _spec, _conv in string.Formatter().parse(template)
                     if name}
        return used


def load(text: str, *, base: dict | None = None) -> Mapping:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UnreadableFile(_("The mapping is not valid TOML: %(error)s")
                             % {"error": error}) from None
    return build(overlay(base or {}, data))


def load_file(path: Path | None, *, builtin: str | None = None) -> Mapping:
    base = tomllib.loads((BUILT_IN / f"{builtin}.toml").read_text("utf-8")) if builtin else {}
    if path is None:
        return build(base)
    try:
        text = path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise UnreadableFile(_("Cannot read the mapping %(file)s: %(error)s")
                             % {"file": path, "error": error}) from None
    return load(text, base=base)


def overlay(base: dict, data: dict) -> dict:
    """`data` laid over `base`: tables merge key by key, other values replace."""
    merged = dict(base)
    for key, value in data.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = overlay(merged[key], value)
        else:
            merged[key] = value
    return merged


def build(data: dict) -> Mapping:
    unknown = sorted(set(data) - TOP_LEVEL)
    if unknown:
        _bad(_("unknown key “%(key)s”") % {"key": unknown[0]})
    fields = {name: _columns(name, columns) for name, columns in data.get("fields", {}).items()}
    templates = {name: str(text) for name, text in data.get("templates", {}).items()}
    values = {name: {str(k): str(v) for k, v in table.items()}
              for name, table in data.get("values", {}).items()}
    defaults = {name: str(value) for name, value in data.get("defaults", {}).items()}
    for name in [*fields, *values, *defaults]:
        if name not in FIELD_KINDS:
            _bad(_("unknown field “%(field)s”") % {"field": name})
    for name in templates:
        if name not in TEMPLATE_FIELDS:
            _bad(_("templates can only give %(fields)s") % {"fields": ", ".join(TEMPLATE_FIELDS)})
    if "key" not in fields:
        _bad(_("[fields] must name the ticket key column (key = \"…\")"))
    for name in ("status", "impact", "urgency", "channel"):
        if name not in fields and name not in defaults:
            _bad(_("give a column or a default for “%(field)s”") % {"field": name})
    if "registered_at" not in fields and "occurred_at" not in fields:
        _bad(_("give a column for registered_at or occurred_at"))
    create = data.get("create", {})
    team_tier = str(create.get("team_tier", Tier.L2))
    if team_tier not in Tier.values:
        _bad(_("create.team_tier must be one of: %(tiers)s") % {"tiers": ", ".join(Tier.values)})
    source = str(data.get("source", "")).strip()
    if not source or len(source) > 40:
        _bad(_("give the source system’s name (source = \"…\", at most 40 characters)"))
    return Mapping(
        source=source, encoding=str(data.get("encoding", "utf-8")),
        delimiter=delimiter_from(data.get("delimiter", ",")),
        empty=frozenset(str(word) for word in data.get("empty", [])),
        date_formats=[str(fmt) for fmt in data.get("date_formats", [])],
        zone=zone_named(data.get("timezone", settings.TIME_ZONE)),
        fields=fields, templates=templates, values=values, defaults=defaults,
        team_tier=team_tier, ci_type=str(create.get("ci_type", "application")),
    )


def _columns(name: str, columns) -> list[str]:
    columns = [columns] if isinstance(columns, str) else columns
    if not isinstance(columns, list) or not columns or not all(
            isinstance(column, str) and column for column in columns):
        _bad(_("fields.%(field)s must be a column name or a list of them") % {"field": name})
    if len(columns) > 1 and name != "category":
        _bad(_("only category takes several columns (a path)"))
    return columns


def delimiter_from(value) -> str:
    value = "\t" if value == "\\t" else str(value)
    if len(value) != 1:
        _bad(_("delimiter must be one character"))
    return value


def zone_named(name) -> ZoneInfo:
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        _bad(_("unknown time zone “%(zone)s”") % {"zone": name})


def _bad(message: str):
    raise UnreadableFile(_("Mapping: %(problem)s.") % {"problem": message})
