"""The knowledge-base cast: besides the common cast, a problem manager who
reviews articles, and helpers that write articles through the real actions."""

import pytest

from opsdesk.core.choices import Role
from opsdesk.knowledge import actions


@pytest.fixture
def problem_manager_gao(cast):
    return cast._user("problem_manager_gao", "高建国", Role.PROBLEM_MANAGER, None)


def write(author, title, solution="重启服务后恢复", **fields):
    return actions.create_article(actor=author, source="web", title=title, solution=solution,
                                  **fields)


def approve(article, reviewer):
    return actions.review_article(article, actor=reviewer, source="web",
                                  expected_version=article.version, approve=True)


def published(author, reviewer, title, **fields):
    """An article written by `author` and approved by `reviewer`."""
    return approve(write(author, title, **fields), reviewer)
