"""Routing table: which programme handles a project, from its path and maturity."""

from __future__ import annotations

from dataclasses import dataclass

from pes21_bot.domain.qualification import Maturity
from pes21_bot.domain.vocabulary import PATH_PROGRAMMES, Path, Programme


@dataclass(frozen=True)
class Route:
    """Where a project goes and whether the Émergence workshop is suggested."""

    programme: str
    suggest_emergence: bool


def route(path: str, maturity: Maturity | None) -> Route:
    """Mature ideas go to Bénéfices'Créa, early ones to accueil en amont; other paths are fixed."""
    if path == Path.IDEA:
        if maturity is not None and maturity.mature:
            return Route(Programme.BENEFICES_CREA, suggest_emergence=False)
        return Route(Programme.ACCUEIL_AMONT, suggest_emergence=True)
    (programme,) = PATH_PROGRAMMES[Path(path)]
    return Route(programme, suggest_emergence=False)
