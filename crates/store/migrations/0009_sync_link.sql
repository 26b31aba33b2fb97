-- Version 9: the counter's link to the central server (issue 10).
--
-- One row once the counter is enrolled: the server it syncs with, the
-- device id the server gave it, the store it was enrolled for, and the feed
-- cursor — stored in the same transaction as the pulled changes it follows,
-- so a kill between the two can neither skip nor re-apply a page. The
-- device's secret token is NOT here (the database file is readable by
-- whoever can copy it): it is in a file of its own, readable by its owner
-- only (comptoir-client).
CREATE TABLE sync_link (
    id               INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    server_url       TEXT NOT NULL,
    device_id        BLOB NOT NULL,
    store_code       TEXT NOT NULL,
    cursor           TEXT NOT NULL DEFAULT '',
    enrolled_at      TEXT NOT NULL,
    last_attempt_at  TEXT,
    last_success_at  TEXT,
    -- The last failure's code and French message; NULL after a success.
    last_error_code  TEXT,
    last_error       TEXT,
    -- Changes received so far (the bootstrap's progress).
    received         INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Changes the server refused (pushed from here) or that this counter could
-- not apply (received): kept with the reason, shown in the sync status; a
-- manager retries (back to the outbox) or drops them. They never block the
-- changes behind them.
CREATE TABLE sync_rejected (
    id           BLOB PRIMARY KEY NOT NULL,
    -- 'push' (refused by the server) or 'pull' (not applicable here).
    direction    TEXT NOT NULL CHECK (direction IN ('push', 'pull')),
    kind         TEXT NOT NULL,
    entity_id    BLOB NOT NULL,
    store_code   TEXT NOT NULL,
    device_id    BLOB NOT NULL,
    hlc          TEXT NOT NULL,
    payload      TEXT NOT NULL,
    code         TEXT NOT NULL,
    reason       TEXT NOT NULL,
    rejected_at  TEXT NOT NULL
) STRICT;

-- Head office's records that are already here under another id (a
-- customer with the same e-mail or phone, a product with the same SKU, an
-- order with the same source and number, loaded before this counter was
-- enrolled): the server's id is an alias of the local record, and the
-- orders that follow point at the local one. One customer card, not two.
CREATE TABLE record_aliases (
    id        BLOB PRIMARY KEY NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('customer', 'product', 'order')),
    local_id  BLOB NOT NULL
) STRICT;
