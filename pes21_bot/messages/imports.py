"""/import's messages: the dry run, the errors found, a refused file (no sending here)."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from pes21_bot import buttons
from pes21_bot.content import Content, Html
from pes21_bot.domain import imports as spec
from pes21_bot.domain.french_format import fr_int
from pes21_bot.domain.imports import RowError
from pes21_bot.messages.markup import keyboard
from pes21_bot.services.imports import FileTooBig, FileUnreadable, ImportLabels, Plan
from pes21_bot.services.uploads import MAX_UPLOAD_BYTES, UploadRefused
from pes21_bot.texts import import_limits as tl
from pes21_bot.texts import imports as t

# The first errors are listed; the rest are counted (a message holds 4,096 characters).
SHOWN_ERRORS = 20


def size_limit() -> str:
    """The upload limit in French: '10 Mo'."""
    return f"{MAX_UPLOAD_BYTES // (1024 * 1024)} Mo"


def megabytes(size: int) -> str:
    """A size in French: '20 Mo'."""
    return f"{fr_int(size // (1024 * 1024))} Mo"


def refused(
    content: Content, labels: ImportLabels, problem: UploadRefused | FileUnreadable
) -> Html:
    """Why a file is not taken, and what to do."""
    if isinstance(problem, FileTooBig):
        if problem.reason == "too_many_rows":
            return content.render(tl.TOO_MANY_ROWS, limit=fr_int(problem.limit))
        if problem.reason == "sheet_too_big":
            return content.render(tl.SHEET_TOO_BIG, limit=megabytes(problem.limit))
        return content.render(tl.TABLE_TOO_BIG, limit=megabytes(problem.limit))
    if isinstance(problem, UploadRefused):
        if problem.reason == "empty":
            return content.render(t.EMPTY)
        if problem.reason == "too_big":
            return content.render(t.TOO_BIG, limit=size_limit())
        return content.render(t.WRONG_TYPE)
    if problem.reason == "no_sheet":
        names = ", ".join(f"« {labels.sheets[s.id]} »" for s in spec.SHEETS)
        return content.render(t.NO_SHEET, sheets=names)
    if problem.reason == "missing_columns":
        return content.render(t.MISSING_COLUMNS, detail=problem.detail)
    return content.render(t.UNREADABLE)


def error_line(content: Content, labels: ImportLabels, error: RowError) -> Html:
    """One error: sheet, line, column and what is wrong, in French."""
    what: str = content.label("import_errors", error.code)
    if error.value:
        what = content.render(t.ERROR_VALUE, what=what, value=error.value)
    sheet = labels.sheets[error.sheet]
    if error.column is None:
        return content.render(t.ERROR_LINE_ROW, sheet=sheet, line=error.line, what=Html(what))
    column = labels.columns[error.sheet].get(error.column, error.column)
    return content.render(
        t.ERROR_LINE, sheet=sheet, line=error.line, column=column, what=Html(what)
    )


def dry_run(content: Content, labels: ImportLabels, plan: Plan) -> Html:
    """What importing would create, sheet by sheet, then the errors or the question."""
    lines = [
        content.render(
            t.DRY_RUN_LINE,
            sheet=labels.sheets[s.id],
            new=len(plan.new[s.id]),
            duplicates=plan.duplicates.get(s.id, 0),
        )
        for s in spec.SHEETS
    ]
    blocks = [content.render(t.DRY_RUN, lines=Html("\n".join(lines)))]
    if plan.error_count:
        found = [content.render(t.ERRORS, count=plan.error_count)]
        found += [error_line(content, labels, e) for e in plan.errors[:SHOWN_ERRORS]]
        hidden = plan.error_count - min(len(plan.errors), SHOWN_ERRORS)
        if hidden > 0:
            found.append(content.render(t.MORE_ERRORS, count=hidden))
        blocks.append(Html("\n".join(found)))
    elif plan.new_count == 0:
        blocks.append(content.render(t.NOTHING_NEW))
    else:
        blocks.append(content.render(t.CONFIRM, count=plan.new_count))
    return Html("\n\n".join(blocks))


def confirm_keyboard(content: Content, token: int) -> InlineKeyboardMarkup:
    """ "Importer" and "Annuler" for one dry run."""
    return keyboard(
        [
            [
                (content.render(t.BUTTON_GO), buttons.IMPORT.pack("go", token)),
                (content.render(t.BUTTON_CANCEL), buttons.IMPORT.pack("cancel", token)),
            ]
        ]
    )


def stop_keyboard(content: Content, token: int) -> InlineKeyboardMarkup:
    """ "Arrêter l'import" under the running import's progress."""
    return keyboard([[(content.render(tl.BUTTON_STOP), buttons.IMPORT.pack("stop", token))]])


def progress(content: Content, done: int, total: int) -> Html:
    """The progress message, edited as batches are written."""
    return content.render(t.PROGRESS, done=fr_int(done), total=fr_int(total))
