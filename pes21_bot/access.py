"""Who may do what: every command and every button family, with the roles that may use it.

Registration reads this table (pes21_bot/handlers/access.py): a command or a button family
missing here cannot be registered, and /aide, Telegram's command menus and the refusal all come
from it. The one home of "who may": ``programmes_for`` (which programmes this person may see or
act on, for a rule) and ``may_act_on`` (this dossier, from what the database says they are to it);
``staff_may`` and ``figures_scope`` are read from the first.
"""

from __future__ import annotations

from dataclasses import dataclass

from pes21_bot import buttons, texts
from pes21_bot.config import Config
from pes21_bot.domain.assignment import WELCOMING_MISSION
from pes21_bot.domain.scope import Scope
from pes21_bot.domain.vocabulary import VOLUNTEER_PROGRAMME, Programme
from pes21_bot.services.people import Role
from pes21_bot.texts import volunteers as volunteer_texts

PROGRAMMES = tuple(Programme)


@dataclass(frozen=True)
class Rule:
    """The roles that may use a command or a button family, and how others are refused.

    ``missions``: a volunteer qualifies only with one of these missions (empty: any volunteer).
    ``scoped``: staff qualify only for the programme concerned (the project's, or ``programme``).
    ``listed_for``: roles whose /aide and menu show it (None: every role that may use it).
    ``hidden_for``: roles that may use it but do not see it in /aide and the menus.
    ``holder_volunteer``: a volunteer qualifies on the accueil-en-amont dossier they hold.
    ``owner``: whoever follows the dossier qualifies on it, while they are part of the team.
    ``reviewer``: the volunteer (or staff member) given a bilan of the dossier qualifies on it.
    ``unstaffed_admins``: admins qualify on a dossier whose programme has no staff member.
    """

    roles: frozenset[Role]
    missions: frozenset[str] = frozenset()
    scoped: bool = False
    programme: str | None = None
    refusal: texts.TextKey = texts.NOT_ALLOWED
    listed_for: frozenset[Role] | None = None
    hidden_for: frozenset[Role] = frozenset()
    holder_volunteer: bool = False
    owner: bool = False
    reviewer: bool = False
    unstaffed_admins: bool = False

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
# Answering a holder through the relay: whoever follows the dossier, staff and coordinator of its
# programme, the admins when it has no staff (the button itself is open: the dossier decides).
ANSWER_HOLDER = _rule(Role.STAFF, Role.COORDINATOR, scoped=True, owner=True, unstaffed_admins=True)

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
    "annuler_atelier": STAFF_OR_ADMIN,
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
            buttons.ACC_FIX_STEP,
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
    # The assignee, or staff of the project's programme.
    buttons.REVIEW.prefix: _rule(Role.VOLUNTEER, Role.STAFF, scoped=True, reviewer=True),
    buttons.DLA.prefix: _rule(Role.STAFF, scoped=True, programme=Programme.DLA),
    buttons.TEAM.prefix: ADMIN,
    buttons.TEAM_PROGRAMME.prefix: ADMIN,
    # A holder's message to the team: the handler checks the dossier is the presser's.
    buttons.WRITE_TEAM.prefix: EVERYONE,
    # The relay: answering is for whoever may answer the dossier (ANSWER_HOLDER, checked by the
    # handler); picking the dossier of one's message, the holder's own (checked).
    buttons.RELAY_ANSWER.prefix: EVERYONE,
    buttons.RELAY_PICK.prefix: EVERYONE,
    # The agenda: anyone registers (the event's audience is checked by the handler); the
    # attendance is the creator's or an admin's (checked by the handler too).
    buttons.AGENDA.prefix: EVERYONE,
    # The satisfaction survey: the handler checks the dossier is the presser's.
    buttons.SURVEY.prefix: EVERYONE,
    **{
        b.prefix: STAFF_OR_ADMIN
        for b in (
            buttons.ATTENDANCE,
            buttons.ATTENDANCE_MARK,
            buttons.ATTENDANCE_FINISH,
            buttons.EVENT_CANCEL,
        )
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
    # The Word activity report: whoever may type /rapport (its scope is theirs).
    buttons.REPORT_DOCUMENT.prefix: COMMANDS["rapport"],
}


def allows(rule: Rule, roles: set[Role], missions: set[str] | None = None) -> bool:
    """Whether someone with these roles (and volunteer missions) may use it at all."""
    granted = rule.roles & roles
    if granted == {Role.VOLUNTEER} and rule.missions:
        return bool(rule.missions & (missions or set()))
    return bool(granted)


@dataclass(frozen=True)
class Standing:
    """What someone is to one dossier, as the database says (services.projects.standing).

    ``roles``: their roles now (a removed member is a holder only); ``owns``: they follow it;
    ``open``: the dossier is still open; ``reviews``: a bilan of it is theirs; ``may_claim``: a
    welcoming volunteer available today, on an accueil-en-amont dossier; ``former``: they left
    the team (/retirer, /equipe).
    """

    roles: frozenset[Role] = frozenset({Role.HOLDER})
    owns: bool = False
    open: bool = True
    reviews: bool = False
    may_claim: bool = False
    former: bool = False

    @property
    def in_team(self) -> bool:
        """Whether they hold a team role now (volunteer, staff, coordinator or admin)."""
        return bool(self.roles - {Role.HOLDER})


def _granted(rule: Rule, config: Config, telegram_id: int) -> set[str]:
    """The programmes the rule's staff, coordinator and admin rights give this person."""
    if sees_everything(rule, config, telegram_id):
        return set(PROGRAMMES)
    found: set[str] = set()
    member = config.staff_member(telegram_id)
    if Role.STAFF in rule.roles and member is not None:
        found |= set(member.programmes)
    if Role.COORDINATOR in rule.roles:
        found |= {key for key, p in config.programmes.items() if p.coordinator == telegram_id}
    return found


def programmes_for(rule: Rule, config: Config, telegram_id: int) -> tuple[str, ...]:
    """Which programmes this person may see or act on under this rule (admins: every one), read
    from the team as it is now: a change by /equipe counts from the next update."""
    found = _granted(rule, config, telegram_id)
    if rule.programme is not None:
        found &= {rule.programme}
    return tuple(p for p in PROGRAMMES if p in found)


def sees_everything(rule: Rule, config: Config, telegram_id: int) -> bool:
    """Whether the rule gives this person every programme and what belongs to none (admins)."""
    return Role.ADMIN in rule.roles and config.is_admin(telegram_id)


def figures_scope(rule: Rule, config: Config, telegram_id: int) -> Scope | None:
    """The figures this person may see under the rule: their programmes (admins: everything,
    events without a programme included); None for someone who may see none."""
    programmes = programmes_for(rule, config, telegram_id)
    if not programmes:
        return None
    return Scope(programmes, everything=sees_everything(rule, config, telegram_id))


def staff_may(rule: Rule, config: Config, telegram_id: int, programme: str | None) -> bool:
    """Whether staff, coordinator or admin rights of this rule cover this programme for them."""
    if sees_everything(rule, config, telegram_id):
        return True
    granted = _granted(rule, config, telegram_id)
    if not rule.scoped:
        return bool(granted)
    concerned = rule.programme or programme
    return concerned is not None and concerned in granted


def may_act_on(
    rule: Rule, config: Config, telegram_id: int, programme: str | None, standing: Standing
) -> bool:
    """Whether this person may act on this dossier under the rule: staff, coordinator or admin of
    its programme, or what they are to it (who follows it, the welcoming volunteer holding or
    claiming it, the volunteer of its bilan). Someone who left the team acts on nothing."""
    if standing.former and not standing.in_team:
        return False
    if staff_may(rule, config, telegram_id, programme):
        return True
    unstaffed = programme is None or not config.staff_for(programme)
    if rule.unstaffed_admins and unstaffed and config.is_admin(telegram_id):
        return True
    if rule.owner and standing.owns and standing.in_team:
        return True
    volunteer = Role.VOLUNTEER in rule.roles and Role.VOLUNTEER in standing.roles
    holding = standing.owns and standing.open and programme == VOLUNTEER_PROGRAMME
    if volunteer and rule.holder_volunteer and holding:
        return True
    if rule.reviewer and standing.reviews and standing.in_team:
        return True
    if volunteer and rule.missions:
        return standing.may_claim
    return False


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
