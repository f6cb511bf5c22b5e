"""PRB-06: monthly figures — opened, solved, resolution rate."""

from datetime import timedelta

from opsdesk.problems import actions
from opsdesk.problems.figures import monthly_figures

from .conftest import raise_problem, step, walk_to


def test_monthly_figures_count_opened_solved_and_the_rate(desk, frozen):
    cast = desk.cast
    frozen.shift(timedelta(days=-30))  # 2026-10-24
    carried = walk_to(cast, "investigating")
    frozen.shift(timedelta(days=30))  # back in November
    solved_now = walk_to(cast, "solution_identified", raise_problem(cast, title="另一个"))
    raise_problem(cast, title="刚登记")
    step(actions.identify_solution, carried, cast.engineer_chen, root_cause="光模块老化",
         solution="更换光模块")

    november = monthly_figures(2026, 11)
    assert (november.opened, november.resolved, november.carried_over) == (2, 2, 1)
    assert november.resolution_rate == round(2 / 3, 4)
    october = monthly_figures(2026, 10)
    assert (october.opened, october.resolved, october.resolution_rate) == (1, 0, 0.0)
    assert monthly_figures(2026, 12).opened == 0
    assert solved_now.resolved_at is not None


def test_a_month_without_problems_has_no_rate(db):
    figures = monthly_figures(2025, 1)
    assert (figures.opened, figures.resolved, figures.resolution_rate) == (0, 0, None)
