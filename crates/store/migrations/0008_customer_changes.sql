-- Version 8: customers created and edited at the counter (issue 8).
--
-- Every customer change — its creation, and each edit of one field — is a
-- row here, with its HLC timestamp, device, actor and the values before and
-- after. The `customers` row and its contacts are the fold of these rows
-- (comptoir_core::customer::fold_customer): for each field, the change with
-- the greatest (hlc, id) wins — last writer wins, field by field — so two
-- counters that edited one customer while apart converge once they have
-- each other's changes. Customers loaded in bulk (demo data, a new store's
-- bootstrap) have no row here until they are edited.
--
-- No foreign key on customer_id: an edit may be received before the
-- creation it follows; it waits here and is folded in when the creation
-- arrives. The change id makes receiving the same change twice a no-op.
CREATE TABLE customer_changes (
    id          BLOB PRIMARY KEY NOT NULL,
    customer_id BLOB NOT NULL,
    -- 'created', or the field: title, first_name, last_name, address,
    -- phones, emails, email_marketing, sms_marketing
    field       TEXT NOT NULL,
    hlc         TEXT NOT NULL,
    device_id   BLOB NOT NULL,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    -- JSON: the field's value before (NULL for a creation) and after (the
    -- whole record for a creation).
    old_value   TEXT,
    new_value   TEXT NOT NULL
) STRICT;
CREATE INDEX customer_changes_by_customer ON customer_changes (customer_id, hlc);

-- The history is append-only (erasure, a later issue, will delete).
CREATE TRIGGER customer_changes_no_update BEFORE UPDATE ON customer_changes
BEGIN
    SELECT RAISE(ABORT, 'customer_changes is append-only');
END;
