-- Version 15: the follow-up queue (issue 11).
--
-- A call back after a low satisfaction score is a round of its own, after
-- the closure's follow-up (`follow_up_due` / `followed_up_at`, whose due
-- date a `follow_up_call` event now moves on a call back or a no answer).
-- Both columns are projections of the fold, like every other column:
-- `score_call_due` is when the next call back is due once a call moved it
-- (before any call, from the score: `followed_up_at`), `score_called_back_at`
-- when the round ended (reached, or the last try without an answer).
-- Every dossier before this version has neither (no such event existed).
ALTER TABLE dossiers ADD COLUMN score_call_due TEXT;
ALTER TABLE dossiers ADD COLUMN score_called_back_at TEXT;

-- Scores not yet called back: the queue and the weak signals read them
-- without scanning every dossier.
CREATE INDEX dossiers_by_score_to_call ON dossiers (csat_score)
    WHERE csat_score IS NOT NULL AND score_called_back_at IS NULL;
