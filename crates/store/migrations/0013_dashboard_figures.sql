-- Version 13: what the manager's dashboard reads (issue 11), without
-- reading a single event.
--
-- Two more projections of the fold on the dossier row, filled like every
-- other column by `DossierRow::from_state`:
-- `first_response_at`, the earliest event that answered the customer (a
-- workflow action, a decision, a message sent: see « Dashboard figures »
-- in docs/ARCHITECTURE.md), and `customer_waits`, the finished waits for
-- the customer as a JSON array of {start, end} (NULL when it never waited).
ALTER TABLE dossiers ADD COLUMN first_response_at TEXT;
ALTER TABLE dossiers ADD COLUMN customer_waits TEXT;

-- One narrow row per dossier with only what the figures count, kept by the
-- triggers below in the same statement as the dossier row, whatever wrote
-- it (the one write path, the bulk load, an erasure's redaction). Each
-- write of a dossier gives its row a new `seq` (AUTOINCREMENT never reuses
-- one, and SQLite has one writer at a time, so seqs are commit-ordered):
-- the dashboard's in-memory copy reads only the rows above the last seq it
-- has seen.
CREATE TABLE dossier_figures (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    dossier_id        BLOB NOT NULL UNIQUE,
    store_id          BLOB,
    origin            TEXT NOT NULL,
    customer_id       BLOB NOT NULL,
    product_id        BLOB,
    reason_code       TEXT NOT NULL,
    opened_by         TEXT,
    -- Where the product was bought: the order's channel, through the line.
    channel           TEXT,
    status            TEXT NOT NULL,
    opened_at         TEXT NOT NULL,
    promised_at       TEXT,
    closed_at         TEXT,
    first_response_at TEXT,
    customer_waits    TEXT,
    csat_score        INTEGER,
    decided           INTEGER NOT NULL,
    basis             TEXT,
    decided_by        TEXT,
    approved_by       TEXT,
    -- The goodwill gesture: given at closure once closed, else granted by
    -- the decision.
    gesture_cents     INTEGER NOT NULL
) STRICT;
CREATE INDEX dossier_figures_by_opened ON dossier_figures (opened_at);

CREATE TRIGGER dossier_figures_on_insert AFTER INSERT ON dossiers
BEGIN
    DELETE FROM dossier_figures WHERE dossier_id = NEW.id;
    INSERT INTO dossier_figures (dossier_id, store_id, origin, customer_id, product_id,
        reason_code, opened_by, channel, status, opened_at, promised_at, closed_at,
        first_response_at, customer_waits, csat_score, decided, basis, decided_by,
        approved_by, gesture_cents)
    VALUES (NEW.id, NEW.store_id, NEW.origin, NEW.customer_id, NEW.product_id,
        NEW.reason_code, NEW.opened_by,
        (SELECT o.channel FROM order_lines l JOIN orders o ON o.id = l.order_id
         WHERE l.id = NEW.order_line_id),
        NEW.status, NEW.opened_at, NEW.promised_at, NEW.closed_at,
        NEW.first_response_at, NEW.customer_waits, NEW.csat_score,
        NEW.decision IS NOT NULL,
        json_extract(NEW.decision, '$.basis'),
        json_extract(NEW.decision, '$.decided_by'),
        json_extract(NEW.decision, '$.approved_by'),
        CASE WHEN NEW.resolution IS NOT NULL
             THEN coalesce(json_extract(NEW.resolution, '$.gesture.amount'), 0)
             ELSE coalesce(NEW.gesture_cents, 0) END);
END;

CREATE TRIGGER dossier_figures_on_update AFTER UPDATE ON dossiers
BEGIN
    DELETE FROM dossier_figures WHERE dossier_id = NEW.id;
    INSERT INTO dossier_figures (dossier_id, store_id, origin, customer_id, product_id,
        reason_code, opened_by, channel, status, opened_at, promised_at, closed_at,
        first_response_at, customer_waits, csat_score, decided, basis, decided_by,
        approved_by, gesture_cents)
    VALUES (NEW.id, NEW.store_id, NEW.origin, NEW.customer_id, NEW.product_id,
        NEW.reason_code, NEW.opened_by,
        (SELECT o.channel FROM order_lines l JOIN orders o ON o.id = l.order_id
         WHERE l.id = NEW.order_line_id),
        NEW.status, NEW.opened_at, NEW.promised_at, NEW.closed_at,
        NEW.first_response_at, NEW.customer_waits, NEW.csat_score,
        NEW.decision IS NOT NULL,
        json_extract(NEW.decision, '$.basis'),
        json_extract(NEW.decision, '$.decided_by'),
        json_extract(NEW.decision, '$.approved_by'),
        CASE WHEN NEW.resolution IS NOT NULL
             THEN coalesce(json_extract(NEW.resolution, '$.gesture.amount'), 0)
             ELSE coalesce(NEW.gesture_cents, 0) END);
END;

-- The drill-down's order and the period's range scans on the dossiers
-- themselves; the units sold per product over a period.
CREATE INDEX dossiers_by_opened ON dossiers (opened_at, id);
CREATE INDEX order_lines_by_product ON order_lines (product_id);
CREATE INDEX orders_by_date ON orders (ordered_at);

-- Dossiers from before this version get both columns and their figures
-- row from a fold of their events the first time this version opens the
-- file (upgrade.rs): a dossier without a figures row is one still to do.
