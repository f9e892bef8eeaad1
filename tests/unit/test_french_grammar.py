"""Every text of the registry, filled with every programme's name and with names that start with
a vowel or a consonant, reads as French: no "à le DLA", "de Alex", "qui …, qui …"."""

from __future__ import annotations

import re

import pytest

from pes21_bot import texts
from pes21_bot.content import Content, Html, fill
from pes21_bot.domain.vocabulary import PROGRAMMES

# Person and event names: vowels, a mute h, consonants; an event title as people type it.
NAMES = ("Alex", "Émilie", "Hélène", "Ursule", "Bernard", "Dominique")
TITLES = ("Financer son projet associatif", "Atelier compta")

FAULTS = {
    "à + le": re.compile(r"(?<!\w)[àÀ] (<[^>]+>)*les? ", re.IGNORECASE),
    "de + le": re.compile(r"(?<!\w)de (<[^>]+>)*les? "),
    "de + vowel": re.compile(r"(?<!\w)de (<[^>]+>)*[AEIOUÉÈÊÂÎÔÛaeiouéèêâîôû]", re.IGNORECASE),
    "de + mute h": re.compile(r"(?<!\w)de (<[^>]+>)*(Hé|Hu|Hè|He)"),
    "« de : » before a name": re.compile(r"(?<!\w)de : (<[^>]+>)*(le|la|les|l')\b"),
    "two « qui » clauses": re.compile(r"\bqui [^.!?\n]*, qui "),
    "« inscrit·e à » an event's bare title": re.compile(
        r"inscrit·e à (<[^>]+>)*«? ?(" + "|".join(TITLES) + ")"
    ),
}


def _clauses(content: Content) -> list[tuple[str, Html]]:
    """Texts that are a name followed by a relative clause, with the placeholder they fill: by
    convention "<section>.reader_owner" fills the {reader} of the texts of its section."""
    found = []
    for text_key in texts.all_keys():
        if ", qui " in content.messages[text_key.key] and len(text_key.params) == 1:
            (param,) = text_key.params
            section, _, last = text_key.key.rpartition(".")
            filled = (
                f"{section}.{last.split('_')[0]}",
                content.render(text_key, **{param: "Alex"}),
            )
            found.append(filled)
    return found


def _samples(content: Content) -> list[str | Html]:
    programmes = [content.programme_name(p) for p in PROGRAMMES]
    return [*programmes, ", ".join(programmes), *NAMES, *TITLES]


def _faults(text: str) -> list[str]:
    # A pronoun written in the text itself ("prêt à le faire") is French: only what the filling
    # produced counts, so the same check runs on the bare template first.
    return [name for name, pattern in FAULTS.items() if pattern.search(text)]


def test_every_text_reads_as_french_with_every_programme_and_name(content: Content) -> None:
    """Rendering each registry key with each sample value yields no faulty French."""
    found: dict[str, set[str]] = {}
    samples = _samples(content)
    for text_key in texts.all_keys():
        template = content.messages[text_key.key]
        already = set(_faults(fill(template, dict.fromkeys(text_key.params, "X"))))
        for sample in samples:
            rendered = content.render(text_key, **dict.fromkeys(text_key.params, sample))
            for fault in set(_faults(rendered)) - already:
                found.setdefault(f"{text_key.key} ({fault})", set()).add(str(rendered)[:160])
        if " qui " not in template:
            continue
        # A text with its own "qui" clause must not receive a name that brings another one.
        for target, clause in _clauses(content):
            section, _, param = target.rpartition(".")
            if text_key.key.rpartition(".")[0] == section and param in text_key.params:
                values: dict[str, object] = dict.fromkeys(text_key.params, "X")
                rendered = content.render(text_key, **{**values, param: clause})
                for fault in set(_faults(rendered)) - already:
                    found.setdefault(f"{text_key.key} ({fault})", set()).add(str(rendered)[:160])
    assert not found, "\n".join(f"{k}: {sorted(v)[0]}" for k, v in sorted(found.items()))


@pytest.mark.parametrize(
    ("template", "value", "expected"),
    [
        ("confié à {p}", "le DLA", "confié au DLA"),
        ("À {p} !", "le CRDVA", "Au CRDVA !"),
        ("l'équipe de <b>{p}</b>", "le Générateur BFC", "l'équipe du <b>Générateur BFC</b>"),
        ("à {p}", "les bénévoles", "aux bénévoles"),
        ("à {p}", "Bénéfices'Créa", "à Bénéfices'Créa"),
        ("Message de {p}", "Alex", "Message d'Alex"),
        ("Message de {p}", "Hélène", "Message d'Hélène"),
        ("de {p}", "Hautes-Alpes", "de Hautes-Alpes"),
        ("de {p}", "l'accueil en amont", "de l'accueil en amont"),
        ("prêt à le faire pour {p}", "le DLA", "prêt à le faire pour le DLA"),
        ("code {p}", "Le Havre", "code Le Havre"),
    ],
)
def test_contractions(template: str, value: str, expected: str) -> None:
    """The contraction rule on its own: where "à"/"de" meets a name, and where it does not."""
    assert fill(template, {"p": value}) == expected
