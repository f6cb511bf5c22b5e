from .models import PriorityCell
from .priority import Matrix


def priority_matrix() -> Matrix:
    """The configured matrix. Twelve rows: cheap enough to read per action,
    and reading it fresh means an admin's edit applies at once."""
    return {(c.impact, c.urgency): c.priority for c in PriorityCell.objects.all()}
