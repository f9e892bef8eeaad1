"""A form as an ordered list of questions: which ones are asked, in what order, and when.

The questions and their types are in :mod:`pes21_bot.domain.fields`; this module applies their
`when` conditions to the answers so far (next question, previous one, progress, recap cleaning).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pes21_bot.domain.fields import Answers, AtLeast, Condition, Question


def holds(condition: Condition, given: Any) -> bool:
    """Whether an earlier answer satisfies a `when` condition."""
    if isinstance(condition, AtLeast):
        number = isinstance(given, int | float) and not isinstance(given, bool)
        return number and given >= condition.min
    if isinstance(given, list):
        return bool(set(given) & set(condition))
    return given in condition


def is_visible(question: Question, answers: Answers) -> bool:
    """Whether a conditional question applies given the answers so far."""
    return all(holds(condition, answers.get(other)) for other, condition in question.when.items())


@dataclass(frozen=True)
class FormSpec:
    """A form: ordered questions, whether a recap comes before storing, answers set at opening.

    `at_least_one`: skipping is refused (and "Passer" not offered) when it would leave none of
    these questions answered (the intake's e-mail or phone).
    """

    kind: str
    questions: tuple[Question, ...]
    recap: bool = True
    preset: tuple[str, ...] = ()
    at_least_one: tuple[str, ...] = ()

    def question(self, question_id: str) -> Question | None:
        """The question with this id."""
        return next((q for q in self.questions if q.id == question_id), None)

    def visible(self, answers: Answers) -> list[Question]:
        """Questions asked with these answers, in order; a hidden answer counts for nothing."""
        kept = {k: answers[k] for k in self.preset if k in answers}
        shown = []
        for item in self.questions:
            if is_visible(item, kept):
                shown.append(item)
                if item.id in answers:
                    kept[item.id] = answers[item.id]
        return shown

    def next_question(self, answers: Answers) -> Question | None:
        """The first visible unanswered question; None means the form is complete."""
        return next((q for q in self.visible(answers) if q.id not in answers), None)

    def previous_question(self, answers: Answers) -> Question | None:
        """The visible answered question just before the current one (the last one at recap)."""
        shown = self.visible(answers)
        current = self.next_question(answers)
        end = shown.index(current) if current is not None else len(shown)
        return next((q for q in reversed(shown[:end]) if q.id not in self.preset), None)

    def progress(self, answers: Answers, current: Question) -> tuple[int, int]:
        """Question n/N: N questions visible with the answers so far, n the current one's rank."""
        shown = [q.id for q in self.visible(answers)]
        return shown.index(current.id) + 1 if current.id in shown else len(shown), len(shown)

    def clean(self, answers: Answers) -> Answers:
        """The answers without those of questions hidden by a later change (presets kept)."""
        ids = {q.id for q in self.visible(answers)} | set(self.preset)
        return {k: v for k, v in answers.items() if k in ids}

    def skip_refused(self, question: Question, answers: Answers) -> bool:
        """Whether skipping would leave none of the `at_least_one` answers."""
        if question.id not in self.at_least_one:
            return False
        others = [qid for qid in self.at_least_one if qid != question.id]
        return all(qid in answers and answers[qid] in (None, []) for qid in others)

    def may_skip(self, question: Question, answers: Answers) -> bool:
        """Whether "Passer" is offered (and accepted) on this question now."""
        return question.optional and not self.skip_refused(question, answers)
