"""The state actions by name, with the fields each takes, so that the
console and the API offer them the same way."""

from opsdesk.core.errors import Invalid
from opsdesk.core.models import Team, User

from . import actions
from .choices import Action

STEPS = {
    Action.ACCEPT: (actions.accept, ("note",)),
    Action.DISMISS: (actions.dismiss, ("reason",)),
    Action.REGISTER: (actions.register, ("category", "level")),
    Action.ASSIGN: (actions.assign, ("owner", "team")),
    Action.INVESTIGATE: (actions.investigate, ("note",)),
    Action.PUBLISH_WORKAROUND: (actions.publish_workaround,
                                ("root_cause", "workaround", "symptoms")),
    Action.IDENTIFY_SOLUTION: (actions.identify_solution,
                               ("root_cause", "solution", "preventive_actions")),
    Action.REQUEST_CHANGE: (actions.request_change, ("change_reference",)),
    Action.REVIEW: (actions.review, ("review_minutes", "user_representatives")),
    Action.ARCHIVE: (actions.archive, ("note",)),
    Action.CLOSE: (actions.close, ("note",)),
}


def _named(model, field: str, value, errors: dict):
    if value in (None, ""):
        return None
    row = model.objects.filter(**({"username": value} if model is User else {"name": value}))
    row = row.first()
    if row is None:
        errors[field] = Invalid.default_message
    return row


def perform(problem, action: Action, *, actor, source: str, expected_version, values: dict):
    """Run the step `action` with the values it takes (names for owner and team)."""
    function, names = STEPS[action]
    kwargs = {name: values.get(name) for name in names}
    if action == Action.ASSIGN:
        errors = {}
        kwargs = {"owner": _named(User, "owner", kwargs["owner"], errors),
                  "team": _named(Team, "team", kwargs["team"], errors)}
        if errors:
            raise Invalid(fields=errors)
    if action in (Action.ACCEPT, Action.INVESTIGATE, Action.ARCHIVE, Action.CLOSE):
        kwargs["note"] = kwargs["note"] or ""
    return function(problem, actor=actor, source=source, expected_version=expected_version,
                    **{k: v for k, v in kwargs.items() if v is not None or action in (
                        Action.ASSIGN,)})
