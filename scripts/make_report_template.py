"""Write contenus/rapport_activite.docx, the default layout of the Word activity report.

The Pôle may restyle that file in Word or LibreOffice (fonts, colours, logo, cover) without
code: the bot only fills its {{ … }} and {%p … %} tags (docxtpl, Jinja syntax). Run this script
again (`make rapport-modele`) only to go back to the default layout; it overwrites the file.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_ALIGN_VERTICAL, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

TARGET = Path(__file__).resolve().parent.parent / "contenus" / "rapport_activite.docx"
GREEN = RGBColor(0x1F, 0x6F, 0x4A)
GREY = RGBColor(0x55, 0x55, 0x55)


def _field(paragraph: Paragraph, kind: str, instruction: str | None = None) -> None:
    """A complex-field character (begin, separate, end), or its instruction text."""
    run = paragraph.add_run()
    if instruction is not None:
        element = OxmlElement("w:instrText")
        element.set(qn("xml:space"), "preserve")
        element.text = instruction
    else:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
    run._r.append(element)


def _styles(document: DocumentObject) -> None:
    styles = document.styles
    normal = styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)
    # French spelling and hyphenation in Word and LibreOffice (Arial: Liberation Sans there).
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "fr-FR")
    normal.element.get_or_add_rPr().append(language)
    for name, size in (("Title", 30), ("Subtitle", 16), ("Heading 1", 20), ("Heading 2", 14)):
        style = styles[name]
        style.font.name = "Arial"
        style.font.size = Pt(size)
        style.font.color.rgb = GREEN
    # Each mission opens on a new page, as in the printed report.
    styles["Heading 1"].paragraph_format.page_break_before = True
    figure = styles.add_style("Chiffre clé", WD_STYLE_TYPE.PARAGRAPH)
    figure.base_style = styles["Normal"]
    figure.font.size = Pt(26)
    figure.font.bold = True
    figure.font.color.rgb = GREEN
    figure.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    figure.paragraph_format.space_after = Pt(0)
    label = styles.add_style("Libellé du chiffre", WD_STYLE_TYPE.PARAGRAPH)
    label.base_style = styles["Normal"]
    label.font.size = Pt(13)
    label.paragraph_format.space_after = Pt(0)
    label.paragraph_format.left_indent = Cm(0.2)
    note = styles.add_style("Note", WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = styles["Normal"]
    note.font.italic = True
    note.font.size = Pt(9)
    note.font.color.rgb = GREY
    styles["Quote"].font.size = Pt(12)
    styles["Caption"].font.color.rgb = GREY


def _cover(document: DocumentObject) -> None:
    for _ in range(5):
        document.add_paragraph()
    document.add_paragraph("{{ pole.name }}", style="Title")
    document.add_paragraph("Rapport d'activité {{ period_title }}", style="Subtitle")
    for _ in range(8):
        document.add_paragraph()
    for line in ("{{ pole.address }}", "{{ pole.phone }} · {{ pole.email }}", "{{ pole.website }}"):
        document.add_paragraph(line)
    document.add_paragraph(
        "Document préparé le {{ prepared_on }} avec les chiffres du bot : à relire et à compléter "
        "(les activités que le bot ne suit pas restent à ajouter à la main).",
        style="Note",
    )
    breaking = document.add_paragraph()
    breaking.add_run().add_break(WD_BREAK.PAGE)


def _contents(document: DocumentObject) -> None:
    document.add_paragraph("Sommaire", style="TOC Heading")
    # A real table of contents field (Word refreshes it and its page numbers on opening,
    # settings' updateFields); its saved result lists the titles for LibreOffice and viewers.
    first = document.add_paragraph()
    _field(first, "begin")
    _field(first, "", 'TOC \\o "1-1" \\h \\z \\u')
    _field(first, "separate")
    first.add_run("{{ contents[0] }}")
    document.add_paragraph("{%p for title in contents[1:] %}")
    document.add_paragraph("{{ title }}")
    document.add_paragraph("{%p endfor %}")
    _field(document.add_paragraph(), "end")


def _sections(document: DocumentObject) -> None:
    add = document.add_paragraph
    add("{%p for section in sections %}")
    add("{{ section.title }}", style="Heading 1")
    add("{{ section.intro }}", style="Heading 2")
    add("{%p if section.figures %}")
    table = document.add_table(rows=3, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for row in table.rows:
        row.cells[0].width, row.cells[1].width = Cm(5), Cm(11)
        for cell in row.cells:
            cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
    table.cell(0, 0).text = "{%tr for figure in section.figures %}"
    table.cell(1, 0).paragraphs[0].text = "{{ figure.value }}"
    table.cell(1, 0).paragraphs[0].style = document.styles["Chiffre clé"]
    table.cell(1, 1).paragraphs[0].text = "{{ figure.label }}"
    table.cell(1, 1).paragraphs[0].style = document.styles["Libellé du chiffre"]
    table.cell(2, 0).text = "{%tr endfor %}"
    add("{%p endif %}")
    add("{%p if section.chart %}")
    picture = add("{{ section.chart }}")
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add("{{ section.chart_caption }}", style="Caption")
    add("{%p endif %}")
    add("{%p for block in section.blocks %}")
    add("{{ block.title }}", style="Heading 2")
    add("{%p for line in block.lines %}")
    add("{{ line }}", style="List Bullet")
    add("{%p endfor %}")
    add("{%p if block.note %}")
    add("{{ block.note }}", style="Note")
    add("{%p endif %}")
    add("{%p endfor %}")
    add("{%p for quote in section.quotes %}")
    add("« {{ quote.text }} »", style="Quote")
    signature = add("— {{ quote.author }}", style="Normal")
    signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    add("{%p endfor %}")
    add("{%p if section.note %}")
    add("{{ section.note }}", style="Note")
    add("{%p endif %}")
    add("{%p endfor %}")


def _definitions(document: DocumentObject) -> None:
    document.add_paragraph("{{ definitions_title }}", style="Heading 1")
    document.add_paragraph("{{ definitions_intro }}", style="Note")
    document.add_paragraph("{%p for definition in definitions %}")
    entry = document.add_paragraph()
    entry.add_run("{{ definition.label }}").bold = True
    entry.add_run(" : {{ definition.text }}")
    document.add_paragraph("{%p endfor %}")


def _footer(document: DocumentObject) -> None:
    footer = document.sections[0].footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("{{ pole.name }} · Rapport d'activité {{ period_title }} · page ")
    _field(footer, "begin")
    _field(footer, "", "PAGE")
    _field(footer, "separate")
    footer.add_run("1")
    _field(footer, "end")


# Elements that follow w:updateFields in the schema's order of w:settings (ECMA-376 §17.15.1.78):
# Word refuses a settings part whose children are out of order.
AFTER_UPDATE_FIELDS = (
    "hdrShapeDefaults",
    "footnotePr",
    "endnotePr",
    "compat",
    "docVars",
    "rsids",
    "attachedSchema",
    "themeFontLang",
    "clrSchemeMapping",
    "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures",
    "forceUpgrade",
    "captions",
    "readModeInkLockDown",
    "smartTagType",
    "schemaLibrary",
    "shapeDefaults",
    "doNotEmbedSmartTags",
    "decimalSymbol",
    "listSeparator",
)


def _update_fields_on_open(document: DocumentObject) -> None:
    """Ask Word to refresh the fields (table of contents, page numbers) when it opens the file."""
    settings = document.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    later = {qn(f"w:{name}") for name in AFTER_UPDATE_FIELDS} | {
        "{http://schemas.openxmlformats.org/officeDocument/2006/math}mathPr"
    }
    following = next((child for child in settings if child.tag in later), None)
    if following is None:
        settings.append(update)
    else:
        following.addprevious(update)


def build(target: Path = TARGET) -> None:
    """Write the default template to `target`."""
    document = Document()
    section = document.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_height, section.page_width = Cm(29.7), Cm(21)
    section.left_margin = section.right_margin = Cm(2.2)
    _styles(document)
    _cover(document)
    _contents(document)
    _sections(document)
    _definitions(document)
    _footer(document)
    _update_fields_on_open(document)
    document.core_properties.title = "Rapport d'activité"
    document.core_properties.language = "fr-FR"
    document.save(str(target))


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else TARGET)
