"""The event log (table events): every state change writes one row, the figures count them.

Not the agenda's workshops and trainings: those are in services/agenda.py (table agenda_events).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot.db.models import Event

# Event kinds; docs/indicateurs.md says which ones define each figure. The `data` keys each kind
# carries are listed beside it: statistics read them with SQL JSON functions, so keep them stable.
# Dates inside `data` are ISO strings (YYYY-MM-DD); `occurred_at` is when the bot recorded it,
# or, for what happened outside the bot (a dossier recorded by staff, a past accompaniment step),
# its real day with `recorded_at` (ISO date-time of the recording) added to `data`.

# Intake and routing
BOT_STARTED = "bot_started"  # {source}
CONSENT_GIVEN = "consent_given"  # {path}; recorded by staff: {oral, witness_id, recorded_at}
CONSENT_REFUSED = "consent_refused"  # {path, source}
INTAKE_STARTED = "intake_started"  # {path}
QUESTION_ANSWERED = "question_answered"  # {question}
INTAKE_ABANDONED = "intake_abandoned"  # {path}
INTAKE_COMPLETED = "intake_completed"  # {path, source}; programme set: "projet accueilli"
# (a dossier recorded by staff, services/recorded.py: intake_started, intake_completed and routed
# also carry {recorded_at, recorded_by, partner?})
ROUTED = "routed"  # {score, criteria}; programme set: "projet orienté"
CLAIMED = "claimed"  # programme set
REDIRECTED = "redirected"  # {previous}; programme = the new programme
CLOSED = "closed"  # {reason}
DATA_EXPORTED = "data_exported"  # {}
# A dossier recorded by staff (services/recorded.py) given to its holder's Telegram by a code.
DOSSIER_LINKED = "dossier_linked"  # {}; actor: the holder
DATA_ERASED = "data_erased"  # {projects, reason: "request" | "retention"}
RETENTION_NOTICE = "retention_notice"  # {people}: admins told of anonymisations to come

# Volunteers (actor = the volunteer, or the admin who acts on them)
VOLUNTEER_INVITED = "volunteer_invited"  # {invitation_id}
STAFF_INVITED = "staff_invited"  # {invitation_id}
TEAM_JOINED = "team_joined"  # {programmes}; actor: who joined
TEAM_CHANGED = "team_changed"  # {member_id, programmes, coordinates}; member_id: a person id
TEAM_REMOVED = "team_removed"  # {member_id}
HANDED_OVER = "handed_over"  # {previous_owner_id, owner_id}: a removed member's dossier
VOLUNTEER_ENROLLED = "volunteer_enrolled"  # {missions}
VOLUNTEER_UPDATED = "volunteer_updated"  # {missions, paused_until}
VOLUNTEER_REMOVED = "volunteer_removed"  # {volunteer_id}
VOLUNTEER_UNREACHABLE = "volunteer_unreachable"  # {volunteer_id}

# Accompaniment (project and programme set; actor = staff)
ACCOMPANIMENT_STARTED = "accompaniment_started"  # {started_on}
VOLUNTEER_ATTACHED = "volunteer_attached"  # {volunteer_id}
MILESTONE = "milestone"  # {milestone, on, jobs_consolidated?, action?}
ACCOMPANIMENT_ENDED = "accompaniment_ended"  # {outcome, ended_on}
ACCOMPANIMENT_CORRECTED = "accompaniment_corrected"  # {field: start|end|step, was, to[, milestone]}
STRUCTURE_CREATED = "structure_created"  # {legal_form, name, created_on}
JOBS_CREATED = "jobs_created"  # {count, contract, time, origin: "accompaniment" | "review"}

# Post-accompaniment reviews and reminders
REVIEW_SCHEDULED = "review_scheduled"  # {review_id, number, due_on}
REVIEW_ASSIGNED = "review_assigned"  # {review_id, assignee_id}
REVIEW_SNOOZED = "review_snoozed"  # {review_id, until}
REVIEW_DECLINED = "review_declined"  # {review_id}
REVIEW_DONE = "review_done"  # {review_id, situation, jobs_created, satisfaction, hours, km}
REVIEW_CANCELLED = "review_cancelled"  # {review_id, reason: "request" | "retention"}
REMINDER_SENT = "reminder_sent"  # {reminder_id, kind, late}
DLA_PROPOSED = "dla_proposed"  # {review_id}
DLA_ACCEPTED = "dla_accepted"  # {review_id, new_project_id}
DLA_DECLINED = "dla_declined"  # {review_id}
REMINDER_FAILED = "reminder_failed"  # {reminder_id, kind, error}

# A holder's message to the team ("Écrire à l'équipe"); its text is erased with their data.
HOLDER_MESSAGE = "holder_message"  # {text, media?, file_id?, reader?}
# Staff answers relayed to the holder through the bot (services/ of the relay); the first one
# of a dossier starts "délai de première réponse" (docs/indicateurs.md).
RELAY_TO_HOLDER = "relay_to_holder"
# The satisfaction survey after an accompaniment (services/satisfaction.py); actor: the holder.
# rating 1-5; helped, recommend ("yes" | "no") and comment may be None; comment erased with
# the holder's data.
SATISFACTION_ANSWERED = "satisfaction_answered"  # {rating, helped, recommend, comment}
SATISFACTION_DECLINED = "satisfaction_declined"  # {}
RELAY_UNDELIVERED = "relay_undelivered"  # {}
# The agenda (services/agenda.py; the figures read agenda_events and registrations)
AGENDA_EVENT_CREATED = "agenda_event_created"  # {kind}; actor: who created it
AGENDA_REGISTERED = "agenda_registered"  # {state: registered | waiting}; actor: the person
AGENDA_WITHDRAWN = "agenda_withdrawn"  # {state}: what the cancelled registration was
AGENDA_PROMOTED = "agenda_promoted"  # {}: a waiting person got a freed place
AGENDA_HELD = "agenda_held"  # {kind, walk_ins}; actor: who recorded the attendance
AGENDA_CANCELLED = "agenda_cancelled"  # {kind, told}; actor: who cancelled the event
# Accueil en amont (actor = the welcoming volunteer who holds the dossier, or the deciding staff)
FIRST_EXCHANGE = "first_exchange"  # {on, way, notes}
ORIENTATION_PROPOSED = "orientation_proposed"  # {proposal_id, choice, programme_to?, reason?}
ORIENTATION_ACCEPTED = "orientation_accepted"  # {proposal_id, choice, programme_to?, reason?}
ORIENTATION_REFUSED = "orientation_refused"  # {proposal_id, choice}


def record(
    session: AsyncSession,
    kind: str,
    now: datetime,
    /,
    *,
    actor_id: int | None = None,
    project_id: int | None = None,
    programme: str | None = None,
    **data: Any,
) -> Event:
    """Add an event to the session; it is committed with the change it describes.

    The first three parameters are positional-only so that `data` may carry a `kind` key too.
    """
    event = Event(
        kind=kind,
        occurred_at=now,
        actor_id=actor_id,
        project_id=project_id,
        programme=programme,
        data=data,
    )
    session.add(event)
    return event
