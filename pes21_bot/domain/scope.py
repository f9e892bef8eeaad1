"""Who sees which programmes' figures."""

from __future__ import annotations

from dataclasses import dataclass

from pes21_bot.domain.vocabulary import PROGRAMME_PATH


@dataclass(frozen=True)
class Scope:
    """The programmes whose figures someone may see; admins see everything, events without
    a programme included."""

    programmes: tuple[str, ...]
    everything: bool

    def paths(self) -> tuple[str, ...]:
        """Intake paths feeding these programmes (for steps recorded before routing)."""
        return tuple(sorted({PROGRAMME_PATH[p] for p in self.programmes if p in PROGRAMME_PATH}))

    def sees(self, *programmes: str) -> bool:
        """Whether at least one of these programmes is in scope."""
        return any(p in self.programmes for p in programmes)
