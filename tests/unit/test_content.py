"""contenus/: every key the code uses exists with the right placeholders; escaping."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pes21_bot import texts
from pes21_bot.access import COMMANDS, all_commands
from pes21_bot.content import COMMANDS_FILE, ContentError, Html, load_content
from pes21_bot.runner import CONTENT_DIR, ROOT

KEY_USE = re.compile(r"\btexts\.([A-Z][A-Z0-9_]+)\b")
NOT_KEYS = {"REGISTRY"}


def test_every_key_used_in_code_is_declared_and_defined() -> None:
    content = load_content(CONTENT_DIR, all_commands())
    used: set[str] = set()
    for source in (ROOT / "pes21_bot").rglob("*.py"):
        used |= set(KEY_USE.findall(source.read_text()))
    assert used, "the scan found no text use at all"
    for name in sorted(used - NOT_KEYS):
        declared = getattr(texts, name, None)
        assert isinstance(declared, texts.TextKey), f"texts.{name} is not declared"
        assert declared.key in content.messages, f"{declared.key} missing from contenus/"
    for declared in texts.all_keys():
        assert declared.key in content.messages


def test_no_dead_text_key() -> None:
    """Every declared key is used by the code, and contenus/ defines no undeclared text."""
    content = load_content(CONTENT_DIR, all_commands())
    declared = texts.all_keys()
    assert set(content.messages) == {k.key for k in declared}
    code = "\n".join(
        source.read_text()
        for source in (ROOT / "pes21_bot").rglob("*.py")
        if "texts" not in source.relative_to(ROOT).parts
    )
    modules = [texts, *(sys.modules[f"pes21_bot.texts.{m}"] for m in ("stats", "volunteers"))]
    unused = [
        name
        for module in modules
        for name, value in vars(module).items()
        if isinstance(value, texts.TextKey) and not re.search(rf"\b{name}\b", code)
    ]
    assert unused == []


def test_every_key_is_checked_whatever_is_imported(copy: Path) -> None:
    """A fresh interpreter that imports only the content loader still checks feature keys."""
    path = copy / "statistiques.yaml"
    text = path.read_text()
    assert "stats:\n  usage:" in text  # stats.usage is declared in pes21_bot/texts/stats.py
    path.write_text(text.replace("stats:\n  usage:", "stats:\n  usage_typo:", 1))
    script = (
        "import sys; from pathlib import Path; "
        "from pes21_bot.content import ContentError, load_content\n"
        "try:\n    load_content(Path(sys.argv[1]))\n"
        "except ContentError as exc:\n    print(exc)\n    sys.exit(3)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(copy)], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 3, done.stdout + done.stderr
    assert "texte manquant" in done.stdout


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "contenus"
    shutil.copytree(CONTENT_DIR, target)
    return target


def test_every_command_is_described_in_commandes_yaml_and_nowhere_else() -> None:
    for path in sorted(CONTENT_DIR.glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        if path.name == COMMANDS_FILE:
            described = raw["commands"]
            assert all(isinstance(described.get(name), str) for name in COMMANDS), path
            assert set(described) == set(COMMANDS), path
        else:
            assert not (isinstance(raw, dict) and "commands" in raw), path


def test_a_command_described_in_another_file_is_refused(copy: Path) -> None:
    path = copy / "benevoles.yaml"
    path.write_text(path.read_text() + '\ncommands:\n  profil: "Mon profil"\n')
    with pytest.raises(ContentError, match=rf"{path}: commands: .* {COMMANDS_FILE}"):
        load_content(copy)


def test_missing_text_stops_with_file_and_key(copy: Path) -> None:
    path = copy / "general.yaml"
    path.write_text(path.read_text().replace("  not_allowed:", "  not_allowed_typo:"))
    with pytest.raises(ContentError, match=r"errors\.not_allowed: texte manquant"):
        load_content(copy)


def test_placeholder_mismatch_names_file_and_key(copy: Path) -> None:
    path = copy / "general.yaml"
    path.write_text(path.read_text().replace("Bonjour {name}", "Bonjour {prenom}"))
    with pytest.raises(ContentError) as caught:
        load_content(copy)
    assert str(caught.value).startswith(f"{path}: start.welcome: paramètres ['prenom']")


def test_key_defined_twice_across_files(copy: Path) -> None:
    (copy / "extra.yaml").write_text("start:\n  welcome: 'Salut {name}'\n")
    with pytest.raises(ContentError, match=r"start\.welcome: défini deux fois"):
        load_content(copy)


def test_bad_questionnaire_is_named(copy: Path) -> None:
    path = copy / "questionnaires.yaml"
    path.write_text(path.read_text().replace("type: postal_code", "type: zipcode", 1))
    with pytest.raises(ContentError, match=r"questionnaires.yaml: idea: questions\.3\.type"):
        load_content(copy)


def test_unquoted_yes_word_is_named(copy: Path) -> None:
    # YAML reads an unquoted y as a boolean: the words must stay between quotes.
    path = copy / "questionnaires.yaml"
    path.write_text(path.read_text().replace('"ouais", "yes", "y"', '"ouais", yes, y', 1))
    with pytest.raises(ContentError, match=r"questionnaires.yaml: words: affirmative\.3"):
        load_content(copy)


def test_parameters_are_escaped_but_html_fragments_are_not() -> None:
    content = load_content(CONTENT_DIR)
    text = content.render(texts.WELCOME, name="<b>Zoé & Cie</b>")
    assert "&lt;b&gt;Zoé &amp; Cie&lt;/b&gt;" in text
    line = content.render(texts.RECAP_LINE, label="Nom", value="<i>x</i>")
    combined = content.render(texts.RECAP, title="T", lines=Html(line))
    assert "<b>Nom</b> : &lt;i&gt;x&lt;/i&gt;" in combined
    with pytest.raises(KeyError):
        content.render(texts.WELCOME)


def test_territories_cover_every_departement_once() -> None:
    territories = load_content(CONTENT_DIR).territories
    departments = [d for r in territories.regions.values() for d in r.departments]
    metropolitan = {f"{n:02d}" for n in range(1, 96)}
    assert len(departments) == len(set(departments))
    assert metropolitan <= set(departments)
    assert territories.region_for("21000").name == "Bourgogne-Franche-Comté"
    assert territories.region_for("99999") is territories.other
    assert territories.region_for(None) is territories.other


def test_a_departement_in_two_regions_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "contenus"
    shutil.copytree(CONTENT_DIR, copy)
    path = copy / "territoires.yaml"
    path.write_text(path.read_text().replace('["22", "29"', '["21", "29"'))
    with pytest.raises(ContentError, match="21: dans bourgogne_franche_comte et bretagne"):
        load_content(copy)


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, "0 réponse déjà enregistrée"),
        (1, "1 réponse déjà enregistrée"),
        (2, "2 réponses déjà enregistrées"),
        (13, "13 réponses déjà enregistrées"),
    ],
)
def test_counts_take_the_right_plural(count: int, expected: str) -> None:
    content = load_content(CONTENT_DIR)
    text = content.render(texts.DRAFT_PENDING, title="Idée", answered=count)
    assert expected in text
    assert "(s)" not in text


def test_no_text_writes_a_plural_with_brackets() -> None:
    content = load_content(CONTENT_DIR)
    assert [key for key, text in content.messages.items() if "(s)" in text] == []


def test_a_format_other_than_the_plural_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "contenus"
    shutil.copytree(CONTENT_DIR, copy)
    path = copy / "general.yaml"
    path.write_text(path.read_text().replace("{answered} {answered:", "{answered:>5} {answered:"))
    with pytest.raises(ContentError, match=r"welcome.draft_pending: \{answered:>5\}"):
        load_content(copy)
