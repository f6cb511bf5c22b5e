from django import template

from opsdesk.audit.rules import may_audit as _may_audit

register = template.Library()


@register.filter
def may_audit(user) -> bool:
    return _may_audit(user)
