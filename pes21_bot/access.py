"""Who may do what: every command and every button family, with the roles that may use it.

Registration reads this table (pes21_bot/handlers/access.py): a command or a button family
missing here cannot be registered, and /aide, Telegram's command menus and the refusal all come
from it. Checks that depend on the project at hand (staff of *this* project's programme) use
``staff_may`` with the same declaration.
"""

from __future__ import annotations

from dataclasses import dataclass

from pes21_bot import buttons, texts
from pes21_bot.config import Config
from pes21_bot.domain.assignment import WELCOMING_MISSION
from pes21_bot.domain.vocabulary import Programme
from pes21_bot.services.people import Role
from pes21_bot.texts import volunteers as volunteer_texts


@dataclass(frozen=True)
class Rule:
    """The roles that may use a command or a button family, and how others are refused.

    ``missions``: a volunteer qualifies only with one of these missions (empty: any volunteer).
    ``scoped``: staff qualify only for the programme concerned (the project's, or ``programme``).
    ``listed_for``: roles whose /aide and menu show it (None: every role that may use it).
    ``hidden_for``: roles that may use it but do not see it in /aide and the menus.
    ``holder_volunteer``: a volunteer qualifies on the accueil-en-amont dossier they hold.
    """

    roles: frozenset[Role]
    missions: frozenset[str] = frozenset()
    scoped: bool = False
    programme: str | None = None
    refusal: texts.TextKey = texts.NOT_ALLOWED
    listed_for: frozenset[Role] | None = None
    hidden_for: frozenset[Role] = frozenset()
    holder_volunteer: bool = False

    @property
    def everyone(self) -> bool:
        """Open to anyone who writes to the bot (every user is at least a holder)."""
        return Role.HOLDER in self.roles


def _rule(*roles: Role, **options: object) -> Rule:
    return Rule(frozenset(roles), **options)  # type: ignore[arg-type]


EVERYONE = _rule(Role.HOLDER)
STAFF_OR_ADMIN = _rule(Role.STAFF, Role.ADMIN)
ADMIN = _rule(Role.ADMIN)
# Project buttons: staff of the project's programme.
PROJECT_STAFF = _rule(Role.STAFF, scoped=True)
# The volunteer who holds this accueil-en-amont dossier.
HOLDING_VOLUNTEER = _rule(Role.VOLUNTEER, holder_volunteer=True)

# In the order /aide and the menus list them.
COMMANDS: dict[str, Rule] = {
    "start": EVERYONE,
    "aide": EVERYONE,
    "suivi": EVERYONE,
    "retour": EVERYONE,
    "annuler": EVERYONE,
    "mes_donnees": EVERYONE,
    "supprimer": EVERYONE,
    "rejoindre": _rule(Role.HOLDER, hidden_for=frozenset({Role.VOLUNTEER})),
    "profil": _rule(Role.VOLUNTEER, refusal=volunteer_texts.NOT_VOLUNTEER),
    # With a reference, staff log the reviews of their programmes' projects.
    "bilan": _rule(Role.VOLUNTEER, Role.STAFF, scoped=True),
    "mes_bilans": _rule(Role.VOLUNTEER, Role.STAFF),
    # An admin who follows no programme has no projects of their own to list; a welcoming
    # volunteer lists the accueil-en-amont dossiers they hold.
    "dossiers": _rule(
        Role.STAFF,
        Role.ADMIN,
        Role.VOLUNTEER,
        holder_volunteer=True,
        listed_for=frozenset({Role.STAFF, Role.VOLUNTEER}),
    ),
    # Staff see their programmes' projects, admins every project, a volunteer the one they hold.
    "dossier": _rule(Role.STAFF, Role.ADMIN, Role.VOLUNTEER, scoped=True, holder_volunteer=True),
    # Finding a dossier by name or commune, among the programmes /dossier lets one see.
    "cherche": STAFF_OR_ADMIN,
    "orientation_test": STAFF_OR_ADMIN,
    "stats": STAFF_OR_ADMIN,
    "rapport": STAFF_OR_ADMIN,
    "export": STAFF_OR_ADMIN,
    "graphique": STAFF_OR_ADMIN,
    "benevoles": STAFF_OR_ADMIN,
    "invitation": ADMIN,
    "retirer": ADMIN,
    "equipe": ADMIN,
    "sauvegarde": ADMIN,
    # The agenda (handlers/agenda.py).
    "agenda": EVERYONE,
    "atelier": STAFF_OR_ADMIN,
    "presences": STAFF_OR_ADMIN,
    # Dossiers recorded by staff (handlers/recorded.py); /lier: the holder gets one by code.
    "nouveau_dossier": STAFF_OR_ADMIN,
    "lier": EVERYONE,
    # Importing the past from a spreadsheet (handlers/imports.py).
    "import": ADMIN,
}

BUTTONS: dict[str, Rule] = {
    # The welcome menu, the intake and the short forms check that the draft is the presser's.
    **{
        b.prefix: EVERYONE
        for b in (
            buttons.MENU,
            buttons.FAQ,
            buttons.DRAFT,
            buttons.CONSENT,
            buttons.ANSWER,
            buttons.TOGGLE,
            buttons.VALIDATE,
            buttons.SKIP,
            buttons.EDIT,
            buttons.RECAP,
            buttons.CANCEL,
            buttons.FORM_ANSWER,
            buttons.FORM_TOGGLE,
            buttons.FORM_VALIDATE,
            buttons.FORM_SKIP,
            buttons.FORM_EDIT,
            buttons.FORM_RECAP,
            buttons.ERASE,
            buttons.MY_DATA_FILE,
        )
    },
    # Early projects (accueil en amont) may also be claimed by welcoming volunteers.
    buttons.CLAIM.prefix: _rule(
        Role.STAFF, Role.VOLUNTEER, missions=frozenset({WELCOMING_MISSION}), scoped=True
    ),
    **{
        b.prefix: PROJECT_STAFF
        for b in (
            buttons.REDIRECT_MENU,
            buttons.REDIRECT,
            buttons.CLOSE_MENU,
            buttons.CLOSE,
            buttons.CARD_BACK,
            buttons.ACCOMPANIMENT,
            buttons.ACC_START,
            buttons.ACC_MILESTONES,
            buttons.ACC_MILESTONE,
            buttons.ACC_END,
            buttons.ACC_FIX,
            buttons.ACC_VOLUNTEERS,
            buttons.ACC_VOLUNTEER,
        )
    },
    # The team's (and volunteers') /start menu; each button is then checked as its command.
    buttons.TEAM_MENU.prefix: _rule(Role.STAFF, Role.COORDINATOR, Role.ADMIN, Role.VOLUNTEER),
    # A dossier's panel: whoever may read it with /dossier.
    **{b.prefix: COMMANDS["dossier"] for b in (buttons.PROJECT, buttons.PROJECT_VIEW)},
    buttons.PROFILE.prefix: _rule(Role.VOLUNTEER, refusal=volunteer_texts.NOT_VOLUNTEER),
    buttons.REMOVE.prefix: ADMIN,
    buttons.REMOVE_CONFIRM.prefix: ADMIN,
    # The assignee, or staff of the project's programme (services.reviews.may_log).
    buttons.REVIEW.prefix: _rule(Role.VOLUNTEER, Role.STAFF, scoped=True),
    buttons.DLA.prefix: _rule(Role.STAFF, scoped=True, programme=Programme.DLA),
    buttons.TEAM.prefix: ADMIN,
    buttons.TEAM_PROGRAMME.prefix: ADMIN,
    # A holder's message to the team: the handler checks the dossier is the presser's.
    buttons.WRITE_TEAM.prefix: EVERYONE,
    # The relay: answering is for whoever may answer the dossier (services.relay.may_answer,
    # checked by the handler); picking the dossier of one's message, the holder's own (checked).
    buttons.RELAY_ANSWER.prefix: EVERYONE,
    buttons.RELAY_PICK.prefix: EVERYONE,
    # The agenda: anyone registers (the event's audience is checked by the handler); the
    # attendance is the creator's or an admin's (checked by the handler too).
    buttons.AGENDA.prefix: EVERYONE,
    # The satisfaction survey: the handler checks the dossier is the presser's.
    buttons.SURVEY.prefix: EVERYONE,
    **{
        b.prefix: STAFF_OR_ADMIN
        for b in (buttons.ATTENDANCE, buttons.ATTENDANCE_MARK, buttons.ATTENDANCE_FINISH)
    },
    # The welcoming volunteer's mission: only on the accueil-en-amont dossier they hold.
    **{
        b.prefix: HOLDING_VOLUNTEER
        for b in (buttons.MISSION_EXCHANGE, buttons.MISSION_ORIENT, buttons.MISSION_PROPOSE)
    },
    # Deciding on a proposal: the accueil-en-amont staff, else its coordinator, else the admins
    # (services.orientation.deciders).
    buttons.MISSION_DECIDE.prefix: _rule(
        Role.STAFF, Role.COORDINATOR, Role.ADMIN, scoped=True, programme=Programme.ACCUEIL_AMONT
    ),
    # Dossiers recorded by staff: the form's buttons check that the draft is the presser's.
    **{
        b.prefix: STAFF_OR_ADMIN
        for b in (buttons.RECORD_PATH, *vars(buttons.RECORDED_FORM).values())
    },
    # A new link code: staff of the dossier's programme, or an admin.
    buttons.LINK_CODE.prefix: _rule(Role.STAFF, Role.ADMIN, scoped=True),
    buttons.IMPORT.prefix: ADMIN,
}


def allows(rule: Rule, roles: set[Role], missions: set[str] | None = None) -> bool:
    """Whether someone with these roles (and volunteer missions) may use it at all."""
    granted = rule.roles & roles
    if granted == {Role.VOLUNTEER} and rule.missions:
        return bool(rule.missions & (missions or set()))
    return bool(granted)


def staff_may(rule: Rule, config: Config, telegram_id: int, programme: str | None) -> bool:
    """Whether staff, coordinator or admin rights of this rule cover this programme for them."""
    if Role.ADMIN in rule.roles and config.is_admin(telegram_id):
        return True
    concerned = rule.programme or programme
    if Role.COORDINATOR in rule.roles and any(
        p.coordinator == telegram_id and (not rule.scoped or key == concerned)
        for key, p in config.programmes.items()
    ):
        return True
    member = config.staff_member(telegram_id)
    if Role.STAFF not in rule.roles or member is None:
        return False
    if not rule.scoped:
        return True
    return concerned is not None and concerned in member.programmes


def commands_for(roles: set[Role]) -> list[str]:
    """The commands listed in /aide and the menu for someone with these roles."""
    return [
        name
        for name, rule in COMMANDS.items()
        if allows(rule, roles)
        and (rule.listed_for is None or rule.listed_for & roles)
        and not (rule.hidden_for & roles)
    ]


def all_commands() -> set[str]:
    """Every command name the bot registers (contenus/ describes each one)."""
    return set(COMMANDS)
