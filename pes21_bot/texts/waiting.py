"""Text keys of "nobody left waiting" and of the satisfaction survey (satisfaction.yaml)."""

from __future__ import annotations

from pes21_bot.texts import key

# To the holder, once: nobody claimed the dossier within the delay they were told.
HOLDER_WAITING = key("holder_waiting.notice", "reference", "programme", "days")

# The satisfaction survey (its questions are forms.satisfaction.*, like every short form).
SURVEY_INVITATION = key("survey.invitation", "reference", "programme")
SURVEY_GO = key("survey.go")
SURVEY_NO = key("survey.no")
SURVEY_INTRO = key("survey.intro")
SURVEY_THANKS = key("survey.thanks")
SURVEY_DECLINED = key("survey.declined")
SURVEY_GONE = key("survey.gone")
SURVEY_BUSY = key("survey.busy")
