"""The bot's vocabulary: programmes, intake paths and how they map, project and review states.

Everything else imports these; the stored strings are the enum values (StrEnum), so the
database and contenus/ keys do not change.
"""

from __future__ import annotations

from enum import StrEnum


class Programme(StrEnum):
    """A dispositif of the Pôle, to which projects are routed."""

    BENEFICES_CREA = "benefices_crea"
    ACCUEIL_AMONT = "accueil_amont"
    DLA = "dla"
    GENERATEUR = "generateur"
    CRDVA = "crdva"


class Path(StrEnum):
    """An intake questionnaire (contenus/questionnaires.yaml)."""

    IDEA = "idea"
    DLA = "dla"
    LOCAL_AUTHORITY = "local_authority"
    CRDVA = "crdva"


class ProjectStatus(StrEnum):
    """Where a project stands (labels: contenus/general.yaml, lists.project_status)."""

    DRAFT = "draft"
    ABANDONED = "abandoned"
    ROUTED = "routed"
    CLAIMED = "claimed"
    ACCOMPANYING = "accompanying"
    CLOSED = "closed"


class ReviewState(StrEnum):
    """A post-accompaniment review: to do, done, or cancelled (never overdue then)."""

    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class DlaProposal(StrEnum):
    """A review's proposal to route the structure to the DLA (None when not proposed)."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


PROGRAMMES: tuple[Programme, ...] = tuple(Programme)
PATHS: tuple[Path, ...] = tuple(Path)

# Which programmes each intake path feeds; an idea goes to one of two depending on its maturity.
PATH_PROGRAMMES: dict[Path, tuple[Programme, ...]] = {
    Path.IDEA: (Programme.BENEFICES_CREA, Programme.ACCUEIL_AMONT),
    Path.DLA: (Programme.DLA,),
    Path.LOCAL_AUTHORITY: (Programme.GENERATEUR,),
    Path.CRDVA: (Programme.CRDVA,),
}
# The other way: the funnel steps before routing carry a path only.
PROGRAMME_PATH: dict[str, Path] = {
    programme: path for path, programmes in PATH_PROGRAMMES.items() for programme in programmes
}
# The creation mission of the activity report ("Bénéfices'Créa").
CREATION_PROGRAMMES = PATH_PROGRAMMES[Path.IDEA]
# Early projects are welcomed by volunteers too.
VOLUNTEER_PROGRAMME = Programme.ACCUEIL_AMONT

# Projects staff may still close or redirect, and those being followed.
OPEN_STATUSES = (ProjectStatus.ROUTED, ProjectStatus.CLAIMED, ProjectStatus.ACCOMPANYING)
FOLLOWED_STATUSES = (ProjectStatus.CLAIMED, ProjectStatus.ACCOMPANYING)
# A staff card's title follows the project's state; the copy a redirect leaves behind has its own.
REDIRECTED_CARD = "redirected"
CARD_TITLES = (*OPEN_STATUSES, ProjectStatus.CLOSED, REDIRECTED_CARD)
