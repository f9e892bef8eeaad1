"""Every questionnaire question that says "vous" has a wording for the team (/nouveau_dossier)."""

from __future__ import annotations

import re

from pes21_bot.content import Content

SECOND_PERSON = re.compile(r"\b(vous|votre|vos)\b", re.IGNORECASE)


def test_second_person_prompts_have_a_team_wording(content: Content) -> None:
    missing = [
        f"{path}.{q.id}"
        for path, questionnaire in content.questionnaires.items()
        for q in questionnaire.questions
        if SECOND_PERSON.search(q.prompt) and not q.prompt_team
    ]
    assert missing == []
    worded = [
        q.prompt_team
        for questionnaire in content.questionnaires.values()
        for q in questionnaire.questions
    ]
    assert not [p for p in worded if SECOND_PERSON.search(p)]
