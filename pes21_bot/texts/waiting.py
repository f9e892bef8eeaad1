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

# The follow-up figures (/stats, /rapport).
FOLLOWUP_HEADER = key("followup.header")
FOLLOWUP_DELAYS = key("followup.delays", "programme", "within", "known", "share", "delay")
FOLLOWUP_SURVEY = key(
    "followup.survey", "programme", "answers", "average", "distribution", "yes", "recommend"
)
SURVEY_RATING_ITEM = key("followup.rating_item", "rating", "count")
FOLLOWUP_NONE = key("followup.none")
FOLLOWUP_FIRST_ANSWER = key("followup.first_answer", "delay")
REPORT_SURVEY_HEADER = key("followup.report_header", "period")
REPORT_SURVEY_NONE = key("followup.report_none")
