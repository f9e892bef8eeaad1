"""Staff cards: the project's text and its buttons, as sent, edited and re-announced."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from pes21_bot import access, buttons, texts
from pes21_bot.config import Config
from pes21_bot.content import Content, Html
from pes21_bot.db.models import Person, Project
from pes21_bot.domain.visibility import Field, Relation, Viewer, visible_fields
from pes21_bot.domain.vocabulary import FOLLOWED_STATUSES, ProjectStatus
from pes21_bot.messages.markup import keyboard
from pes21_bot.services.people import Role
from pes21_bot.texts import volunteers as volunteer_texts


def accompaniment_row(content: Content, project: Project) -> list[tuple[str, str]]:
    """The 'Accompagnement' button of a followed project."""
    return [(content.render(volunteer_texts.ACC_BUTTON), buttons.ACCOMPANIMENT.pack(project.id))]


def card_markup(content: Content, project: Project) -> InlineKeyboardMarkup:
    """Claim (while unclaimed), accompaniment (once claimed), redirect and close buttons."""
    rows: list[list[tuple[str, str]]] = []
    if project.status == ProjectStatus.ROUTED:
        rows.append([(content.render(texts.CLAIM), buttons.CLAIM.pack(project.id))])
    if project.status in FOLLOWED_STATUSES:
        rows.append(accompaniment_row(content, project))
    rows.append(
        [
            (content.render(texts.REDIRECT), buttons.REDIRECT_MENU.pack(project.id)),
            (content.render(texts.CLOSE), buttons.CLOSE_MENU.pack(project.id)),
        ]
    )
    return keyboard(rows)


def volunteer_line(content: Content, owner: Person | None) -> Html | None:
    """'Bénévole associé·e : Wendy' when the dossier is held by a volunteer (first name only)."""
    if owner is None or owner.role != Role.VOLUNTEER:
        return None
    return content.render(volunteer_texts.MISSION_VOLUNTEER_LINE, name=owner.first_name or "?")


def mission_markup(content: Content, project: Project) -> InlineKeyboardMarkup:
    """The welcoming volunteer's buttons on the dossier they hold."""
    return keyboard(
        [
            [
                (
                    content.render(volunteer_texts.MISSION_EXCHANGE),
                    buttons.MISSION_EXCHANGE.pack(project.id),
                )
            ],
            [
                (
                    content.render(volunteer_texts.MISSION_ORIENT),
                    buttons.MISSION_ORIENT.pack(project.id, "menu"),
                )
            ],
        ]
    )


def _team_chat(config: Config, chat_id: int) -> bool:
    """A staff group, a staff member or an admin (else a welcoming volunteer's chat)."""
    return chat_id < 0 or config.is_admin(chat_id) or config.staff_member(chat_id) is not None


def card_fields(config: Config, chat_id: int, holder_chat: int | None) -> frozenset[Field]:
    """What a card shows in this chat: everything to staff and their groups; to a welcoming
    volunteer, contact details only on the dossier they hold (``holder_chat``: its owner's)."""
    if _team_chat(config, chat_id):
        return visible_fields(Viewer.STAFF, Relation.NONE)
    relation = Relation.HOLDS if chat_id == holder_chat else Relation.NONE
    return visible_fields(Viewer.WELCOMING, relation)


def chat_card_markup(
    config: Config, content: Content, project: Project, chat_id: int, holder_chat: int | None
) -> InlineKeyboardMarkup | None:
    """The card's buttons in this chat: staff's; a welcoming volunteer gets 'Je prends' while
    nobody holds it, then the mission's buttons if they hold it, else none."""
    if _team_chat(config, chat_id):
        # Someone of the team who no longer follows this programme keeps the card, not its buttons.
        acts = chat_id < 0 or config.is_admin(chat_id) or chat_id == holder_chat
        if acts or access.staff_may(access.PROJECT_STAFF, config, chat_id, project.programme):
            return card_markup(content, project)
        return None
    if project.status == ProjectStatus.ROUTED:
        return keyboard([[(content.render(texts.CLAIM), buttons.CLAIM.pack(project.id))]])
    if chat_id == holder_chat and project.status in FOLLOWED_STATUSES:
        return mission_markup(content, project)
    return None
