-- Central server, SQLite backend. Ids are 16-byte BLOB UUIDs, instants UTC
-- RFC 3339 text. Writers are serialised (BEGIN IMMEDIATE), so `changes.seq`
-- is assigned in commit order and is the feed position.
CREATE TABLE stores (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    -- Head office's own "store": its devices may run imports and publish.
    head_office INTEGER NOT NULL DEFAULT 0 CHECK (head_office IN (0, 1)),
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE devices (
    id          BLOB PRIMARY KEY,
    store_code  TEXT NOT NULL REFERENCES stores(code),
    name        TEXT NOT NULL,
    token_hash  BLOB NOT NULL UNIQUE,
    enrolled_at TEXT NOT NULL,
    revoked_at  TEXT
) STRICT;

CREATE TABLE enrolments (
    code_hash  BLOB PRIMARY KEY,
    store_code TEXT NOT NULL REFERENCES stores(code),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    device_id  BLOB REFERENCES devices(id)
) STRICT;

CREATE TABLE changes (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          BLOB NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    entity_id   BLOB NOT NULL,
    store_code  TEXT NOT NULL,
    device_id   BLOB NOT NULL,
    hlc         TEXT NOT NULL,
    payload     TEXT NOT NULL,
    scope       TEXT NOT NULL CHECK (scope IN ('store', 'chain')),
    pushed_by   BLOB,
    received_at TEXT NOT NULL
) STRICT;

CREATE INDEX changes_store_seq ON changes (store_code, seq);

-- What imports match against and key on. `record` is the JSON record as
-- served in the feed (comptoir-core's CustomerRecord / ProductRecord /
-- OrderRecord).
CREATE TABLE web_customers (
    id         BLOB PRIMARY KEY,
    email_norm TEXT,
    phone_norm TEXT,
    record     TEXT NOT NULL
) STRICT;
CREATE INDEX web_customers_email ON web_customers (email_norm);
CREATE INDEX web_customers_phone ON web_customers (phone_norm);

CREATE TABLE products (
    id     BLOB PRIMARY KEY,
    sku    TEXT NOT NULL UNIQUE,
    record TEXT NOT NULL
) STRICT;

CREATE TABLE web_orders (
    source       TEXT NOT NULL,
    number       TEXT NOT NULL,
    id           BLOB NOT NULL UNIQUE,
    content_hash BLOB NOT NULL,
    record       TEXT NOT NULL,
    PRIMARY KEY (source, number)
) STRICT;
