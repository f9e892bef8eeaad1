"""Texts from contenus/: loaded and validated at start, rendered with escaped parameters."""

from __future__ import annotations

import html
import re
import string
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pes21_bot import texts
from pes21_bot.config import CRITERIA, Pole
from pes21_bot.domain import data_export
from pes21_bot.domain.fields import Question, Words
from pes21_bot.domain.form_spec import FormSpec
from pes21_bot.domain.territory import department_of
from pes21_bot.domain.vocabulary import CARD_TITLES, PATHS, PROGRAMMES, ProjectStatus
from pes21_bot.texts import TextKey


class _PluralFormatter(string.Formatter):
    """str.format, plus `{count:bilan|bilans}`: the singular for 0 and 1, the plural above."""

    def format_field(self, value: Any, format_spec: str) -> str:
        """Pick a French singular or plural word for a count; other fields format as usual."""
        if "|" not in format_spec:
            return str(super().format_field(value, format_spec))
        singular, plural = format_spec.split("|", 1)
        try:
            count = abs(float(str(value).replace(",", ".").replace("\u202f", "")))
        except ValueError:
            return plural
        return singular if count < 2 else plural


_FORMATTER = _PluralFormatter()

# French contractions where a text's "à"/"de" meets an inserted value: "à le DLA" reads
# "au DLA", "de Alex" reads "d'Alex". Only at a placeholder, so a pronoun written in a text
# ("prêt à le faire") is left alone; HTML tags between the two words are kept in place.
_PREPOSITION = re.compile(r"(?:^|(?<=[\s(«\"'’]))(à|À|de|De) ((?:<[^>]+>)*)$")
_ARTICLE = re.compile(r"^((?:<[^>]+>)*)(les?) ")
_CONTRACTED = {("à", "le"): "au", ("à", "les"): "aux", ("de", "le"): "du", ("de", "les"): "des"}
# Elided before a vowel and before a mute h; a name in "Ha…" (Hautes-Alpes, Hamid) keeps "de".
_ELIDES = re.compile(r"^(?:<[^>]+>)*(?:[aeiouâàäéèêëîïôöûüœæ]|h(?!a))", re.IGNORECASE)


def _capitalised(word: str, like: str) -> str:
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


def _joined(before: str, value: str) -> tuple[str, str]:
    """The text before a placeholder and its value, with the French contraction applied."""
    found = _PREPOSITION.search(before)
    if found is None or not value:
        return before, value
    preposition, tags = found.group(1), found.group(2)
    start = before[: found.start()]
    article = _ARTICLE.match(value)
    if article is not None:
        contracted = _CONTRACTED[(preposition.lower(), article.group(2))]
        rest = article.group(1) + value[article.end() :]
        return f"{start}{_capitalised(contracted, preposition)} {tags}", rest
    if preposition.lower() == "de" and _ELIDES.match(value):
        elided = _capitalised("d'", preposition)
        return f"{start}{elided}{tags}", value
    return before, value


def fill(template: str, params: dict[str, Any]) -> str:
    """str.format with the plural format and French contractions at each placeholder."""
    parts: list[str] = []
    for literal, name, spec, _ in _FORMATTER.parse(template):
        parts.append(literal)
        if name is None:
            continue
        if spec and "{" in spec:  # a plural's words may hold placeholders ("Les {count} bilans")
            spec = _FORMATTER.vformat(spec, (), params)
        value = _FORMATTER.format_field(params[name], spec or "")
        parts[-1], value = _joined(parts[-1], value)
        parts.append(value)
    return "".join(parts)


class Html(str):
    """Text that is already valid Telegram HTML (a rendered text): inserted without escaping."""

    __slots__ = ()


class ContentError(Exception):
    """A problem in contenus/, worded for the person editing the texts."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Questionnaire(_Strict):
    """The ordered questions of one intake path."""

    title: str
    questions: list[Question] = Field(min_length=1)
    at_least_one: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _coherent(self) -> Questionnaire:
        for q in self.questions:
            if not q.prompt or not q.label:
                raise ValueError(f"{q.id}: une question a un texte (prompt) et un nom (label)")
            if q.choice_list or q.future:
                raise ValueError(f"{q.id}: choice_list et future sont réservés aux formulaires")
        ids = [q.id for q in self.questions]
        if len(ids) != len(set(ids)):
            raise ValueError("deux questions portent le même id")
        known = set(ids)
        for q in self.questions:
            for other in q.when:
                if other not in known or ids.index(other) >= ids.index(q.id):
                    raise ValueError(f"{q.id}.when: '{other}' doit être une question précédente")
        for qid in self.at_least_one:
            if qid not in known:
                raise ValueError(f"at_least_one: question inconnue '{qid}'")
        return self

    def question(self, question_id: str) -> Question:
        """The question with this id."""
        return next(q for q in self.questions if q.id == question_id)

    def spec(self, path: str) -> FormSpec:
        """This questionnaire as a form of the engine (always with a recap)."""
        return FormSpec(path, tuple(self.questions), at_least_one=tuple(self.at_least_one))


class FaqEntry(_Strict):
    """One frequently asked question."""

    question: str = Field(min_length=1, max_length=60)
    answer: str = Field(min_length=1, max_length=3000)


class Workshop(_Strict):
    """A dated entry of the workshop agenda: the seed of the agenda's events (imported once)."""

    date: date
    title: str = Field(min_length=1, max_length=200)
    place: str = Field(default="", max_length=300)
    details: str = Field(default="", max_length=1000)
    # A stable key (the import is done once per key), the kind (config.yaml events.kinds).
    key: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_-]{0,60}$")
    kind: str = "autre"
    time: str = Field(default="14:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    capacity: int | None = Field(default=None, ge=1, le=10_000)


class Region(_Strict):
    """A region outside the Pôle's reach and the structures to suggest there."""

    name: str = Field(min_length=1, max_length=60)
    departments: list[str] = Field(default_factory=list)
    alternatives: str = Field(min_length=1, max_length=1000)


class Territories(_Strict):
    """contenus/territoires.yaml: the regions by département, and a fallback."""

    regions: dict[str, Region]
    other: Region

    @model_validator(mode="after")
    def _each_department_once(self) -> Territories:
        seen: dict[str, str] = {}
        for key, region in self.regions.items():
            for department in region.departments:
                if department in seen:
                    raise ValueError(f"{department}: dans {seen[department]} et {key}")
                seen[department] = key
        return self

    def region_for(self, postal_code: str | None) -> Region:
        """The region of a postal code, or the fallback (abroad, unknown)."""
        department = department_of(postal_code)
        found = (r for r in self.regions.values() if department in r.departments)
        return next(found, self.other)


class ProgrammeText(_Strict):
    """How a programme is named and explained to people."""

    name: str = Field(min_length=1, max_length=60)
    description: str = Field(min_length=1)


class Content:
    """All validated texts; `render` is the only way code produces a user-visible string."""

    def __init__(
        self,
        messages: dict[str, str],
        commands: dict[str, str],
        programmes: dict[str, ProgrammeText],
        lists: dict[str, dict[str, str]],
        questionnaires: dict[str, Questionnaire],
        faq: list[FaqEntry],
        agenda: list[Workshop],
        words: Words,
        territories: Territories,
    ) -> None:
        self.messages = messages
        self.commands = commands
        self.programmes = programmes
        self.lists = lists
        self.questionnaires = questionnaires
        self.faq = faq
        self.agenda = agenda
        self.words = words
        self.territories = territories

    def render(self, text_key: TextKey, /, **params: object) -> Html:
        """Return the text for a key, HTML-escaping every inserted value that is not Html."""
        if set(params) != text_key.params:
            raise KeyError(f"{text_key.key}: expected parameters {sorted(text_key.params)}")
        escaped = {
            name: value if isinstance(value, Html) else html.escape(str(value), quote=False)
            for name, value in params.items()
        }
        return Html(fill(self.messages[text_key.key], escaped))

    def programme_name(self, programme: str) -> str:
        """The name people see for a programme."""
        return self.programmes[programme].name

    def label(self, list_name: str, value: str) -> str:
        """The French label of a value from one of the fixed lists (statuses, reasons...)."""
        return self.lists[list_name].get(value, value)

    def outside_department(self, postal_code: str | None) -> Html:
        """What to tell someone whose project lies outside Côte-d'Or: their region's structures."""
        region = self.territories.region_for(postal_code)
        return self.render(
            texts.OUTSIDE_DEPARTMENT, region=region.name, alternatives=Html(region.alternatives)
        )


# Fixed lists whose values the code relies on; each must have a label for every value.
REQUIRED_LISTS: dict[str, tuple[str, ...]] = {
    "project_status": tuple(ProjectStatus),
    "card_titles": CARD_TITLES,
    "close_reasons": (
        "not_ess",
        "no_answer",
        "duplicate",
        "elsewhere",
        "emergence",
        "withdrawn",
        "other",
    ),
    "paths": PATHS,
    "criteria": CRITERIA,
    "data_fields": data_export.ALL_FIELDS,
}


def _flatten(tree: dict[str, Any], prefix: str, out: dict[str, str], origin: str) -> None:
    for key, value in tree.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            _flatten(value, f"{full}.", out, origin)
        elif isinstance(value, str):
            out[full] = value
        else:
            raise ContentError(f"{origin}: {full}: un texte est attendu / text expected")


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _bad_formats(template: str) -> list[str]:
    # The only format a text may use is the plural one; anything else would fail at render time.
    parsed = string.Formatter().parse(template)
    return [
        f"{{{name}:{spec}}}"
        for _, name, spec, conversion in parsed
        if name and (conversion or (spec and spec.count("|") != 1))
    ]


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ContentError(f"{path}: fichier introuvable / file not found") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (ligne {mark.line + 1})" if mark is not None else ""
        raise ContentError(f"{path}{where}: YAML invalide / invalid YAML") from exc


def _validated(model: Any, raw: Any, origin: str) -> Any:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ContentError(f"{origin}: {where}: {first['msg']}") from exc


STRUCTURED_FILES = ("questionnaires.yaml", "faq.yaml", "agenda.yaml", "territoires.yaml")
SECTIONS = ("commands", "programmes", "lists")
# Every command's description is in this one file, so a newcomer knows where to add one.
COMMANDS_FILE = "commandes.yaml"


def _merge(target: dict[str, Any], extra: dict[str, Any], origin: str, where: str) -> None:
    for name, value in extra.items():
        if name in target:
            raise ContentError(f"{origin}: {where}{name}: défini deux fois / defined twice")
        target[name] = value


def _read_texts(folder: Path) -> tuple[dict[str, str], dict[str, Any], dict[str, str]]:
    """Every text file of contenus/ (all but the structured ones), merged, with each key's file."""
    messages: dict[str, str] = {}
    origins: dict[str, str] = {}
    sections: dict[str, Any] = {name: {} for name in SECTIONS}
    files = [f for f in sorted(folder.glob("*.yaml")) if f.name not in STRUCTURED_FILES]
    if not files:
        raise ContentError(f"{folder}: aucun fichier de textes / no text file")
    for path in files:
        raw = _read_yaml(path) or {}
        if not isinstance(raw, dict):
            raise ContentError(f"{path}: un dictionnaire est attendu / mapping expected")
        if "commands" in raw and path.name != COMMANDS_FILE:
            raise ContentError(
                f"{path}: commands: les descriptions des commandes vont dans {COMMANDS_FILE} "
                "/ command descriptions belong in that file"
            )
        for name in SECTIONS:
            _merge(sections[name], raw.pop(name, None) or {}, str(path), f"{name}.")
        found: dict[str, str] = {}
        _flatten(raw, "", found, str(path))
        _merge(messages, found, str(path), "")
        origins.update(dict.fromkeys(found, str(path)))
        for name in SECTIONS:
            origins.setdefault(name, str(path))
    return messages, sections, origins


def pole_details(pole: Pole) -> dict[str, str]:
    """The Pôle's contact details as the placeholders texts use ({pole_phone}...)."""
    return {f"pole_{name}": str(value) for name, value in pole.model_dump().items()}


def _insert_pole(template: str, values: dict[str, str]) -> str:
    # Filled once at load time, so no text key has to declare them and a typo shows up as an
    # unknown placeholder.
    for name, value in values.items():
        template = template.replace("{" + name + "}", value)
    return template


def load_content(
    folder: Path, required_commands: set[str] | None = None, pole: Pole | None = None
) -> Content:
    """Load contenus/ and check every key the code uses, or raise ContentError."""
    messages, sections, origins = _read_texts(folder)
    details = pole_details(pole or Pole())
    # Messages are HTML templates filled by str.format later: escape, and double the braces.
    in_templates = {
        name: html.escape(value, quote=False).replace("{", "{{").replace("}", "}}")
        for name, value in details.items()
    }
    messages = {name: _insert_pole(text, in_templates) for name, text in messages.items()}
    anywhere = f"{folder}/*.yaml"
    commands = sections["commands"]
    programmes_raw = sections["programmes"]
    lists = sections["lists"]

    for text_key in texts.all_keys():
        if text_key.key not in messages:
            raise ContentError(f"{anywhere}: {text_key.key}: texte manquant / missing text")
        bad = _bad_formats(messages[text_key.key])
        if bad:
            raise ContentError(
                f"{origins[text_key.key]}: {text_key.key}: {bad[0]} : seul le pluriel "
                "{nombre:singulier|pluriel} est permis / only the plural format is allowed"
            )
        found_params = _placeholders(messages[text_key.key])
        if found_params != text_key.params:
            raise ContentError(
                f"{origins[text_key.key]}: {text_key.key}: paramètres {sorted(found_params)} "
                f"au lieu de {sorted(text_key.params)} / placeholder mismatch"
            )
    for name in sorted(required_commands or ()):
        if not isinstance(commands.get(name), str):
            raise ContentError(f"{folder / COMMANDS_FILE}: commands.{name}: description manquante")
    programmes: dict[str, ProgrammeText] = {}
    for programme in PROGRAMMES:
        origin = f"{origins.get('programmes', anywhere)}: programmes.{programme}"
        if programme not in programmes_raw:
            raise ContentError(f"{origin}: programme manquant / missing programme")
        programmes[programme] = _validated(ProgrammeText, programmes_raw[programme], origin)
    for list_name, values in REQUIRED_LISTS.items():
        labels = lists.get(list_name) or {}
        for value in values:
            if not isinstance(labels.get(value), str):
                raise ContentError(f"{anywhere}: lists.{list_name}.{value}: libellé manquant")

    questionnaires_file = folder / "questionnaires.yaml"
    raw_q = _read_yaml(questionnaires_file) or {}
    questionnaires: dict[str, Questionnaire] = {}
    for path in PATHS:
        if path not in raw_q:
            raise ContentError(f"{questionnaires_file}: {path}: questionnaire manquant")
        questionnaires[path] = _validated(
            Questionnaire, raw_q[path], f"{questionnaires_file}: {path}"
        )

    faq_file = folder / "faq.yaml"
    faq = [
        _validated(FaqEntry, entry, f"{faq_file}: {i}")
        for i, entry in enumerate(_read_yaml(faq_file) or [])
    ]
    agenda_file = folder / "agenda.yaml"
    agenda = [
        _validated(Workshop, entry, f"{agenda_file}: {i}")
        for i, entry in enumerate(_read_yaml(agenda_file) or [])
    ]
    agenda = [w.model_copy(update={"details": _insert_pole(w.details, details)}) for w in agenda]
    words = _validated(Words, raw_q.get("words"), f"{questionnaires_file}: words")
    territories_file = folder / "territoires.yaml"
    territories = _validated(Territories, _read_yaml(territories_file) or {}, str(territories_file))
    return Content(
        messages, commands, programmes, lists, questionnaires, faq, agenda, words, territories
    )
