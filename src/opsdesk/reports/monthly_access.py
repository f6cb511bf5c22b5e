"""Who may read and manage monthly reports, and the one gate that turns a
`?customer=` value into a scope the user may see.

Staff read reports; requesters never do. A staff account tied to one
customer (a customer's dedicated engineer) sees only that customer's report.
Managers also regenerate reports and subscribe to them."""

from django.utils.translation import gettext as _

from opsdesk.core.choices import Role
from opsdesk.core.errors import Forbidden, NotFound
from opsdesk.core.models import Customer
from opsdesk.incidents.rules import MANAGERS

REPORT_MANAGERS = MANAGERS | {Role.LEADERSHIP, Role.PROBLEM_MANAGER, Role.CHANGE_MANAGER}


def may_read(user) -> bool:
    return user.is_authenticated and user.is_active and not user.is_requester


def may_manage(user) -> bool:
    return may_read(user) and user.role in REPORT_MANAGERS


def may_read_scope(user, customer: Customer | None) -> bool:
    if not may_read(user):
        return False
    return user.customer_id is None or (customer is not None and customer.pk == user.customer_id)


def check_scope(user, customer: Customer | None) -> None:
    if not may_read_scope(user, customer):
        raise Forbidden(_("You may not read this report."))


def scope_for(user, code: str | None) -> Customer | None:
    """The customer named by `code` (None: the whole service), if `user` may read it."""
    customer = None
    if code:
        customer = Customer.objects.filter(code=code).first()
        if customer is None:
            raise NotFound(_("There is no customer with the code “%(code)s”.") % {"code": code})
    check_scope(user, customer)
    return customer


def check_manager(user) -> None:
    if not may_manage(user):
        raise Forbidden(_("Only managers may generate reports and subscribe to them."))
