"""Routing table: which programme handles a project, from its path and maturity."""

from __future__ import annotations

from dataclasses import dataclass

from pes21_bot.domain.qualification import Maturity

PATH_PROGRAMME = {"dla": "dla", "local_authority": "generateur", "crdva": "crdva"}


@dataclass(frozen=True)
class Route:
    """Where a project goes and whether the Émergence workshop is suggested."""

    programme: str
    suggest_emergence: bool


def route(path: str, maturity: Maturity | None) -> Route:
    """Mature ideas go to Bénéfices'Créa, early ones to accueil en amont; other paths are fixed."""
    if path == "idea":
        if maturity is not None and maturity.mature:
            return Route("benefices_crea", suggest_emergence=False)
        return Route("accueil_amont", suggest_emergence=True)
    return Route(PATH_PROGRAMME[path], suggest_emergence=False)
