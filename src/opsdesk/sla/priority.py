"""The impact × urgency → priority matrix (INC-05). Pure: no database access."""

from collections.abc import Mapping

from .choices import Impact, Urgency

Matrix = Mapping[tuple[str, str], int]

# Seed 004 §5.3: rows are urgency 紧急/高/中/低, columns impact 高/中/低.
SEED_004_MATRIX: dict[tuple[str, str], int] = {
    (Impact.HIGH, Urgency.CRITICAL): 1,
    (Impact.MEDIUM, Urgency.CRITICAL): 2,
    (Impact.LOW, Urgency.CRITICAL): 3,
    (Impact.HIGH, Urgency.HIGH): 2,
    (Impact.MEDIUM, Urgency.HIGH): 3,
    (Impact.LOW, Urgency.HIGH): 3,
    (Impact.HIGH, Urgency.MEDIUM): 3,
    (Impact.MEDIUM, Urgency.MEDIUM): 4,
    (Impact.LOW, Urgency.MEDIUM): 4,
    (Impact.HIGH, Urgency.LOW): 3,
    (Impact.MEDIUM, Urgency.LOW): 4,
    (Impact.LOW, Urgency.LOW): 4,
}


class IncompleteMatrix(ValueError):
    pass


def priority_for(matrix: Matrix, impact: str, urgency: str) -> int:
    try:
        return matrix[(impact, urgency)]
    except KeyError:
        raise IncompleteMatrix(
            f"no priority configured for impact={impact} urgency={urgency}"
        ) from None
