-- Version 14: erasure of a customer on request (RGPD, art. 17; issue 11).
--
-- customer_erasures: every customer erased here or received erased from
-- head office — the change's id, its HLC, when and by whom (a manager's
-- login), never anything of the identity. Append-only. No foreign key: an
-- erasure may be received before the customer it erases; the customer's
-- creation or import arriving later is then written as the tombstone
-- (an erasure wins over every edit).
CREATE TABLE customer_erasures (
    customer_id BLOB PRIMARY KEY NOT NULL,
    change_id   BLOB NOT NULL UNIQUE,
    hlc         TEXT NOT NULL,
    erased_at   TEXT NOT NULL,
    actor       TEXT NOT NULL
) STRICT;

CREATE TRIGGER customer_erasures_no_update BEFORE UPDATE ON customer_erasures
BEGIN SELECT RAISE(ABORT, 'customer_erasures is append-only'); END;
CREATE TRIGGER customer_erasures_no_delete BEFORE DELETE ON customer_erasures
BEGIN SELECT RAISE(ABORT, 'customer_erasures is append-only'); END;

-- The erasure under way: one row, inserted by the store at the start of
-- the erasure's write transaction and deleted before it commits (a failed
-- erasure rolls back with it). It is what opens the one exception to the
-- append-only timeline below, for that customer's dossiers only, and only
-- while the erasure is being written.
CREATE TABLE customer_erasure_running (
    customer_id BLOB PRIMARY KEY NOT NULL
) STRICT;

-- Dossier events stay append-only (migration 4), with one exception: the
-- redaction of an erased customer's free texts. The UPDATE is allowed only
--   * while that customer's erasure is being written (a row in
--     customer_erasure_running, for the dossier's customer) and recorded
--     (a row in customer_erasures),
--   * when every column but `note`, `body` and the legacy `data` is
--     unchanged (id, dossier, instants, actor, kind, status, HLC, device),
--   * when the new note is absent where the old one was, or the marker,
--   * when the typed body is the old one with only its free-text fields
--     (customer_words, condition_note, outcome, comment, decision.note)
--     changed, each now absent or the marker (checked by removing those
--     fields from both and comparing what remains),
--   * and the legacy `data` (kept from version 2, superseded by `body`)
--     unchanged or removed.
-- Anything else — another column, another text, another dossier, outside
-- an erasure — aborts as before.
DROP TRIGGER dossier_events_are_append_only_update;
CREATE TRIGGER dossier_events_are_append_only_update BEFORE UPDATE ON dossier_events
WHEN OLD.body IS NOT NULL AND NOT (
    NEW.body IS NOT NULL AND json_valid(NEW.body)
    AND NEW.id IS OLD.id AND NEW.dossier_id IS OLD.dossier_id AND NEW.at IS OLD.at
    AND NEW.actor IS OLD.actor AND NEW.kind IS OLD.kind
    AND NEW.status_after IS OLD.status_after AND NEW.hlc IS OLD.hlc
    AND NEW.device_id IS OLD.device_id
    AND (NEW.data IS OLD.data OR NEW.data IS NULL)
    AND ((OLD.note IS NULL AND NEW.note IS NULL)
         OR (OLD.note IS NOT NULL AND NEW.note = '[effacé à la demande du client]'))
    AND json_remove(NEW.body, '$.customer_words', '$.condition_note', '$.outcome',
                    '$.comment', '$.decision.note')
      = json_remove(OLD.body, '$.customer_words', '$.condition_note', '$.outcome',
                    '$.comment', '$.decision.note')
    AND coalesce(json_extract(NEW.body, '$.customer_words'), '[effacé à la demande du client]')
        = '[effacé à la demande du client]'
    AND coalesce(json_extract(NEW.body, '$.condition_note'), '[effacé à la demande du client]')
        = '[effacé à la demande du client]'
    AND coalesce(json_extract(NEW.body, '$.outcome'), '[effacé à la demande du client]')
        = '[effacé à la demande du client]'
    AND coalesce(json_extract(NEW.body, '$.comment'), '[effacé à la demande du client]')
        = '[effacé à la demande du client]'
    AND coalesce(json_extract(NEW.body, '$.decision.note'), '[effacé à la demande du client]')
        = '[effacé à la demande du client]'
    AND EXISTS (
        SELECT 1 FROM dossiers d
          JOIN customer_erasure_running r ON r.customer_id = d.customer_id
          JOIN customer_erasures e ON e.customer_id = d.customer_id
         WHERE d.id = OLD.dossier_id)
)
BEGIN SELECT RAISE(ABORT, 'dossier events are append-only'); END;
