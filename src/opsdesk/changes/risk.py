"""The risk questionnaire of an RFC (CHG-02) as plain data. No database access.

Six questions, three about impact and three about probability, each answer
weighted 1 (reassuring) to 3 (worrying). The impact is the weight of the
worst impact answer: one bad consequence is enough. The probability is the
mean of the probability answers rounded up: experience, testing and a way
back each make failure less likely. Risk score = impact × probability (1–9);
1–2 is low, 3–4 medium, 6–9 high.
"""

import math
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .choices import RiskLevel

IMPACT, PROBABILITY = "impact", "probability"


@dataclass(frozen=True)
class Question:
    key: str
    axis: str
    text: str
    # (answer key, label, weight)
    answers: tuple


QUESTIONS = (
    Question("services", IMPACT, gettext_lazy("Which services does the change touch?"), (
        ("none", gettext_lazy("No business service"), 1),
        ("one", gettext_lazy("One business service"), 2),
        ("several", gettext_lazy("Several services, or a core one"), 3))),
    Question("outage", IMPACT, gettext_lazy("Is there an outage while it is carried out?"), (
        ("none", gettext_lazy("No interruption"), 1),
        ("degraded", gettext_lazy("Degraded or partial service"), 2),
        ("full", gettext_lazy("Full outage"), 3))),
    Question("users", IMPACT, gettext_lazy("How many users could notice it?"), (
        ("few", gettext_lazy("Fewer than 20%"), 1),
        ("some", gettext_lazy("20% to 70%"), 2),
        ("most", gettext_lazy("More than 70%"), 3))),
    Question("experience", PROBABILITY, gettext_lazy("Has this change been done before?"), (
        ("routine", gettext_lazy("Routinely"), 1),
        ("rare", gettext_lazy("A few times"), 2),
        ("never", gettext_lazy("Never"), 3))),
    Question("testing", PROBABILITY, gettext_lazy("Was it tested?"), (
        ("full", gettext_lazy("Fully, in a test environment like production"), 1),
        ("partial", gettext_lazy("Partly"), 2),
        ("untested", gettext_lazy("It cannot be tested beforehand"), 3))),
    Question("rollback", PROBABILITY, gettext_lazy("Can it be rolled back?"), (
        ("tested", gettext_lazy("Quickly, and the rollback is tested"), 1),
        ("slow", gettext_lazy("Yes, but slowly or untested"), 2),
        ("impossible", gettext_lazy("No, it cannot"), 3))),
)
BY_KEY = {question.key: question for question in QUESTIONS}
# What a change starts with before anyone answers: the reassuring answers.
LOWEST = {question.key: question.answers[0][0] for question in QUESTIONS}


@dataclass(frozen=True)
class Risk:
    impact: int
    probability: int

    @property
    def score(self) -> int:
        return self.impact * self.probability

    @property
    def level(self) -> RiskLevel:
        if self.score <= 2:
            return RiskLevel.LOW
        if self.score <= 4:
            return RiskLevel.MEDIUM
        return RiskLevel.HIGH


def weight(question: Question, answer: str) -> int | None:
    for key, _label, value in question.answers:
        if key == answer:
            return value
    return None


def assess(answers: dict, errors: dict) -> Risk | None:
    """The risk of a complete questionnaire; a message per bad or missing
    answer in `errors` (field "risk.<question>") otherwise."""
    if not isinstance(answers, dict):
        errors["risk"] = _("Answer the risk questions.")
        return None
    wrong = {}
    for key in set(answers) - set(BY_KEY):
        wrong[f"risk.{key}"] = _("There is no risk question “%(key)s”.") % {"key": key}
    weights = {IMPACT: [], PROBABILITY: []}
    for question in QUESTIONS:
        value = weight(question, answers.get(question.key))
        if value is None:
            wrong[f"risk.{question.key}"] = _("Choose one of: %(options)s.") % {
                "options": ", ".join(key for key, _label, _w in question.answers)}
        else:
            weights[question.axis].append(value)
    if wrong:
        errors.update(wrong)
        return None
    return Risk(impact=max(weights[IMPACT]),
                probability=math.ceil(sum(weights[PROBABILITY]) / len(weights[PROBABILITY])))
