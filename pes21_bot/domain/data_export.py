"""The fields of the /mes_donnees file: names in code here, in French in contenus/ (data_fields)."""

from __future__ import annotations

# Groups of the file and the fields of each; values under "answers" and "entry" are the person's
# own answers, kept as stored, and so are the welcoming volunteer's notes of "first_exchanges".
GROUPS = (
    "person",
    "projects",
    "volunteer",
    "reviews",
    "messages",
    "satisfaction",
    "answers_received",
    "registrations",
)
PERSON_FIELDS = (
    "telegram_id",
    "first_name",
    "last_name",
    "username",
    "source",
    "consent",
    "consent_at",
    "first_contact",
    "last_activity",
)
PROJECT_FIELDS = (
    "reference",
    "path",
    "status",
    "programme",
    "answers",
    "score",
    "criteria",
    "created_at",
    "submitted_at",
    "first_exchanges",
)
VOLUNTEER_FIELDS = (
    "missions",
    "days",
    "paused_until",
    "enrolled_at",
    "removed_at",
    "last_activity",
)
REVIEW_FIELDS = ("project", "number", "due_at", "state", "done_at", "logged_by_you", "entry")
# What the person wrote to the team ("Écrire à l'équipe").
MESSAGE_FIELDS = ("project", "written_at", "text", "media", "file_id")
# What the team answered them through the bot (the relay), with the sender's first name.
ANSWER_FIELDS = ("project", "written_at", "text", "media", "file_id", "from_team")
# The satisfaction surveys they answered.
SATISFACTION_FIELDS = (
    "project",
    "answered_at",
    "rating",
    "helped",
    "recommend",
    "comment",
    "quote",  # consent to quote the comment in the activity report
)
# Their registrations to workshops and events (the agenda).
REGISTRATION_FIELDS = ("event", "starts_at", "state", "registered_at")

ALL_FIELDS = tuple(
    dict.fromkeys(
        (
            *GROUPS,
            *PERSON_FIELDS,
            *PROJECT_FIELDS,
            *VOLUNTEER_FIELDS,
            *REVIEW_FIELDS,
            *MESSAGE_FIELDS,
            *ANSWER_FIELDS,
            *SATISFACTION_FIELDS,
            *REGISTRATION_FIELDS,
        )
    )
)


def renamed(export: dict[str, object], names: dict[str, str]) -> dict[str, object]:
    """The export with every field name replaced by its name in ``names`` (answers untouched)."""

    def one(record: object) -> object:
        if not isinstance(record, dict):
            return record
        return {names[key]: value for key, value in record.items()}

    result: dict[str, object] = {}
    for group, value in export.items():
        result[names[group]] = [one(v) for v in value] if isinstance(value, list) else one(value)
    return result
