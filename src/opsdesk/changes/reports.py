"""Change figures for the monthly service report (RPT-01, CHG-03/04)."""

from datetime import datetime

from django.db.models import Count, F, Q

from .choices import Kind, Outcome
from .models import Change


def monthly_summary(start: datetime, end: datetime, customer=None) -> dict:
    """Changes of the period [start, end), optionally of one customer:

    - by_type: changes raised in the period, per type (standard, normal, emergency);
    - emergency: emergency changes raised in the period;
    - implemented / failed / rolled_back: changes whose implementation
      finished in the period, by final outcome (a failed change then rolled
      back counts as rolled back);
    - unrecorded_emergency: emergency changes whose recording deadline fell
      in the period and that were not recorded by it;
    - failed_changes: the failed and rolled-back ones, as number, title, outcome.
    """
    changes = Change.objects.all()
    if customer is not None:
        changes = changes.filter(customer=customer)
    raised = changes.filter(created_at__gte=start, created_at__lt=end)
    by_type = dict.fromkeys(Kind.values, 0)
    by_type.update(raised.values_list("kind").annotate(n=Count("pk")).order_by())
    finished = changes.filter(finished_at__gte=start, finished_at__lt=end)
    outcomes = dict.fromkeys(Outcome.values, 0)
    outcomes.update(finished.exclude(outcome="").values_list("outcome")
                    .annotate(n=Count("pk")).order_by())
    unrecorded = changes.filter(record_due_at__gte=start, record_due_at__lt=end).filter(
        Q(recorded_at__isnull=True) | Q(recorded_at__gt=F("record_due_at"))).count()
    failed = finished.filter(outcome__in=(Outcome.FAILED, Outcome.ROLLED_BACK)).order_by(
        "finished_at", "pk")
    return {
        "by_type": by_type,
        "emergency": by_type[Kind.EMERGENCY],
        "implemented": outcomes[Outcome.IMPLEMENTED],
        "failed": outcomes[Outcome.FAILED],
        "rolled_back": outcomes[Outcome.ROLLED_BACK],
        "unrecorded_emergency": unrecorded,
        "failed_changes": [{"number": number, "title": title, "outcome": outcome}
                           for number, title, outcome in
                           failed.values_list("number", "title", "outcome")],
    }
