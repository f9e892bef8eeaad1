"""Figure records with every field filled, built from the dataclasses themselves.

A field added to a figure record is filled here without anyone listing it, so tests that
check every figure (labels, definitions, emptiness) follow the records.
"""

from __future__ import annotations

import types
from dataclasses import fields, is_dataclass
from datetime import date
from typing import Any, Union, get_args, get_origin, get_type_hints

from pes21_bot.domain.figures import Stats
from pes21_bot.domain.periods import Period
from pes21_bot.domain.scope import Scope
from pes21_bot.domain.vocabulary import PROGRAMMES

# Fields whose value must be a real one for figure_rows to show everything.
SET_BY_HAND: dict[str, Any] = {
    "period": Period.year_of(2025),
    "scope": Scope(PROGRAMMES, everything=True),
    "programme": PROGRAMMES[0],
}


def filled_value(kind: Any, name: str = "") -> Any:
    """A non-empty value of this type: 1, 1.5, 'x', one-item containers, filled records."""
    if name in SET_BY_HAND:
        return SET_BY_HAND[name]
    origin = get_origin(kind)
    if origin in (Union, types.UnionType):
        return filled_value(next(a for a in get_args(kind) if a is not type(None)))
    if origin is dict:
        key, value = get_args(kind)
        return {filled_value(key): filled_value(value)}
    if origin is list:
        return [filled_value(get_args(kind)[0])]
    if origin is tuple:
        args = get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return (filled_value(args[0]),)
        return tuple(filled_value(a) for a in args)
    if is_dataclass(kind) and isinstance(kind, type):
        return filled(kind)
    samples: dict[Any, Any] = {
        bool: True,
        int: 1,
        float: 1.5,
        str: "x",
        date: date(2025, 1, 1),
    }
    return samples[kind]


def filled(record: type[Any]) -> Any:
    """An instance of this dataclass with every field non-empty."""
    hints = get_type_hints(record)
    return record(
        **{item.name: filled_value(hints[item.name], item.name) for item in fields(record)}
    )


def filled_stats() -> Stats:
    """Every /stats and /rapport figure present, for every programme."""
    stats: Stats = filled(Stats)
    return stats
