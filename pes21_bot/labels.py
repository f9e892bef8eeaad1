"""French labels of the codes stored in the database, for exports, /stats and /mes_donnees.

A stored code ("food", "accompaniment_ended", "part_time") is never shown as such: each kind
of value names the list of contenus/ that labels it. A code missing from its list (an old value)
shows as itself rather than as nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pes21_bot.content import Content

# Which list of contenus/ (lists.<name>) labels each kind of stored value.
VALUE_LISTS = {
    "path": "paths",
    "previous": "stat_programmes",
    "programme": "stat_programmes",
    "outcome": "outcomes",
    "milestone": "milestones",
    "legal_form": "legal_forms",
    "contract": "job_contracts",
    "time": "working_times",
    "origin": "job_origins",
    "situation": "review_situations",
    "missions": "volunteer_missions",
    "review_state": "review_states",
    "status": "project_status",
    # How a dossier recorded by staff came; a deep-link parameter stays as written.
    "source": "recorded_sources",
}
# The catch-all list of contenus/mots.yaml: codes no other list names (sources, agenda events).
CODES_LIST = "codes"
# Answers of the intake questionnaires labelled by the questionnaire's own choices.
QUESTIONNAIRE_VALUES = ("sector", "legal_form", "structure_type", "stage", "time", "needs")


def questionnaire_choices(content: Content, question_id: str) -> dict[str, str]:
    """Choice labels of a question, merged over every intake questionnaire."""
    found: dict[str, str] = {}
    for questionnaire in content.questionnaires.values():
        for question in questionnaire.questions:
            if question.id == question_id:
                found.update(question.choices)
    return found


def value_label(content: Content, key: str, value: str) -> str:
    """The French label of one stored value of this kind."""
    list_name = VALUE_LISTS.get(key)
    labels = content.lists.get(list_name, {}) if list_name else {}
    if value in labels:
        return str(labels[value])
    choices = questionnaire_choices(content, key)
    if value in choices:
        return choices[value]
    return content.lists.get(CODES_LIST, {}).get(value, value)


def event_label(content: Content, kind: str) -> str:
    """What an event records, in French (intake events, then the follow-up ones)."""
    for list_name in ("events", "events_followup", CODES_LIST):
        labels = content.lists.get(list_name, {})
        if kind in labels:
            return str(labels[kind])
    return kind


def close_reason(content: Content, reason: str | None) -> str:
    """Why a project was closed, in French (the end of an accompaniment included)."""
    if not reason:
        return ""
    reasons = content.lists.get("close_reasons", {})
    if reason in reasons:
        return str(reasons[reason])
    labels = {**content.lists.get(CODES_LIST, {}), **content.lists.get("stat_labels", {})}
    return str(labels.get(reason, reason))


def readable(content: Content, key: str, value: Any) -> Any:
    """A stored value as a person reads it: labels, dates, yes/no; numbers stay numbers."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return content.label("stat_labels", "yes" if value else "no")
    if isinstance(value, int | float):
        return value
    if isinstance(value, list):
        return ", ".join(str(readable(content, key, item)) for item in value)
    text = str(value)
    if key == "reason":
        return close_reason(content, text)
    try:
        return date.fromisoformat(text) if len(text) == 10 else value_label(content, key, text)
    except ValueError:
        return value_label(content, key, text)


def any_label(content: Content, key: str, value: str) -> str:
    """value_label, else the label any list of contenus/ gives this code (the value otherwise)."""
    found = value_label(content, key, value)
    if found != value:
        return found
    for list_name, labels in content.lists.items():
        if list_name != "data_fields" and value in labels:
            return str(labels[value])
    return value


def question_label(content: Content, question_id: str) -> str:
    """The name of an intake question ("Secteur"), its id when no questionnaire has it."""
    for questionnaire in content.questionnaires.values():
        for question in questionnaire.questions:
            if question.id == question_id and question.label:
                return question.label
    return question_id


def readable_data(content: Content, key: str, value: Any) -> Any:
    """A stored record (JSON-like) with every code replaced by its label; names and numbers kept.

    Answers are keyed by their question's name. Dates stay ISO strings: this is for a data file.
    """
    if isinstance(value, dict):
        if key == "answers":
            return {
                question_label(content, k): readable_data(content, k, v) for k, v in value.items()
            }
        names = content.lists.get("data_keys", {})
        return {str(names.get(k, k)): readable_data(content, k, v) for k, v in value.items()}
    if isinstance(value, list):
        return [readable_data(content, key, item) for item in value]
    if isinstance(value, str) and value and value == value.lower() and " " not in value:
        return any_label(content, key, value)
    return value


def programme_names(content: Content) -> dict[str, list[str]]:
    """Every name people may type for each programme: its name in sentences and in tables."""
    table = content.lists.get("stat_programmes", {})
    return {
        code: [text.name, *([str(table[code])] if code in table else [])]
        for code, text in content.programmes.items()
    }
