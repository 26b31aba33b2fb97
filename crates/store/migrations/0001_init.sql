-- Comptoir local database, version 1: the shared customer history.
-- Ids are UUIDv7 stored as 16-byte BLOBs; instants are UTC text (RFC 3339);
-- money is integer cents.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE stores (
    id          BLOB PRIMARY KEY NOT NULL,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    address     TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    city        TEXT NOT NULL,
    phone       TEXT,
    timezone    TEXT NOT NULL DEFAULT 'Europe/Paris'
) STRICT;

-- seq is the integer key the full-text index points to.
CREATE TABLE customers (
    seq                 INTEGER PRIMARY KEY,
    id                  BLOB NOT NULL UNIQUE,
    title               TEXT,
    first_name          TEXT NOT NULL,
    last_name           TEXT NOT NULL,
    address_line1       TEXT NOT NULL,
    address_line2       TEXT,
    postal_code         TEXT NOT NULL,
    city                TEXT NOT NULL,
    country             TEXT NOT NULL DEFAULT 'FR',
    email_marketing     INTEGER NOT NULL DEFAULT 0 CHECK (email_marketing IN (0, 1)),
    sms_marketing       INTEGER NOT NULL DEFAULT 0 CHECK (sms_marketing IN (0, 1)),
    consents_updated_at TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
) STRICT;

-- Folded (case- and accent-free) words of each customer's name and city,
-- maintained by the store crate in the same transaction as the customer.
-- The folded text is kept in the index too: ranking reads it from there,
-- a few compact pages, instead of a wide customers row per candidate.
CREATE VIRTUAL TABLE customer_fts USING fts5(
    name, city,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);

CREATE TABLE customer_contacts (
    id          BLOB PRIMARY KEY NOT NULL,
    customer_id BLOB NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('phone', 'email')),
    value       TEXT NOT NULL,            -- as the customer gave it
    value_norm  TEXT NOT NULL,            -- E.164 digits, or lower-cased e-mail
    label       TEXT,
    is_primary  INTEGER NOT NULL DEFAULT 0 CHECK (is_primary IN (0, 1))
) STRICT;
CREATE INDEX customer_contacts_by_value ON customer_contacts (value_norm);
CREATE INDEX customer_contacts_by_customer ON customer_contacts (customer_id, kind, is_primary);

CREATE TABLE products (
    id          BLOB PRIMARY KEY NOT NULL,
    sku         TEXT NOT NULL UNIQUE,
    ean         TEXT,
    name        TEXT NOT NULL,
    brand       TEXT NOT NULL,
    category    TEXT NOT NULL,
    sold_as     TEXT NOT NULL CHECK (sold_as IN ('new', 'used', 'refurbished')),
    price_cents INTEGER NOT NULL CHECK (price_cents >= 0)
) STRICT;

CREATE TABLE orders (
    id             BLOB PRIMARY KEY NOT NULL,
    number         TEXT NOT NULL,
    number_norm    TEXT NOT NULL,
    channel        TEXT NOT NULL CHECK (channel IN ('store', 'web', 'marketplace')),
    marketplace    TEXT,
    store_id       BLOB REFERENCES stores (id),
    customer_id    BLOB NOT NULL REFERENCES customers (id),
    ordered_at     TEXT NOT NULL,
    delivered_at   TEXT,
    total_cents    INTEGER NOT NULL CHECK (total_cents >= 0),
    shipping_cents INTEGER NOT NULL DEFAULT 0 CHECK (shipping_cents >= 0),
    payment_method TEXT NOT NULL,
    CHECK ((channel = 'marketplace') = (marketplace IS NOT NULL)),
    CHECK (channel <> 'store' OR store_id IS NOT NULL)
) STRICT;
CREATE INDEX orders_by_number ON orders (number_norm);
CREATE INDEX orders_by_customer ON orders (customer_id, ordered_at);

CREATE TABLE order_lines (
    id               BLOB PRIMARY KEY NOT NULL,
    order_id         BLOB NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line_no          INTEGER NOT NULL,
    product_id       BLOB NOT NULL REFERENCES products (id),
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents >= 0),
    UNIQUE (order_id, line_no)
) STRICT;

CREATE TABLE order_line_serials (
    order_line_id BLOB NOT NULL REFERENCES order_lines (id) ON DELETE CASCADE,
    serial        TEXT NOT NULL,
    serial_norm   TEXT NOT NULL,
    PRIMARY KEY (order_line_id, serial)
) STRICT;
CREATE INDEX order_line_serials_by_serial ON order_line_serials (serial_norm);

CREATE TABLE dossiers (
    id                      BLOB PRIMARY KEY NOT NULL,
    number                  TEXT NOT NULL UNIQUE,
    number_norm             TEXT NOT NULL UNIQUE,
    store_id                BLOB REFERENCES stores (id),
    origin                  TEXT NOT NULL CHECK (origin IN ('store', 'web', 'phone')),
    customer_id             BLOB NOT NULL REFERENCES customers (id),
    order_line_id           BLOB REFERENCES order_lines (id),
    product_id              BLOB REFERENCES products (id),
    product_label           TEXT,
    reason_code             TEXT NOT NULL,
    customer_words          TEXT,
    opened_at               TEXT NOT NULL,
    promised_at             TEXT,
    -- Projection of the events (the fold), kept for lists and search.
    status                  TEXT NOT NULL,
    closed_at               TEXT,
    CHECK (order_line_id IS NOT NULL OR product_id IS NOT NULL OR product_label IS NOT NULL)
) STRICT;
CREATE INDEX dossiers_by_customer ON dossiers (customer_id, status);
CREATE INDEX dossiers_by_status ON dossiers (status);

-- Append-only: the dossier's timeline.
CREATE TABLE dossier_events (
    id           BLOB PRIMARY KEY NOT NULL,
    dossier_id   BLOB NOT NULL REFERENCES dossiers (id),
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    kind         TEXT NOT NULL,
    status_after TEXT,
    note         TEXT
) STRICT;
CREATE INDEX dossier_events_by_dossier ON dossier_events (dossier_id, at);

CREATE TRIGGER dossier_events_are_append_only_update BEFORE UPDATE ON dossier_events
BEGIN SELECT RAISE(ABORT, 'dossier events are append-only'); END;
CREATE TRIGGER dossier_events_are_append_only_delete BEFORE DELETE ON dossier_events
BEGIN SELECT RAISE(ABORT, 'dossier events are append-only'); END;
