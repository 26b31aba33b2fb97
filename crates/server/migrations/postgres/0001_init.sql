-- Central server, PostgreSQL backend. Several stateless server instances may
-- write at once, so a sequence is NOT commit-ordered: a transaction can take
-- seq 10, commit after another one took 11, and a puller that already read
-- 11 would skip 10 forever. Each change therefore records the id of the
-- transaction that wrote it (`xid`), and a pull serves only rows whose xid
-- is below the oldest transaction still in flight
-- (pg_snapshot_xmin(pg_current_snapshot())): those are final, and every
-- later commit has a larger xid. The feed position is (xid, seq).
CREATE TABLE stores (
    code       text PRIMARY KEY,
    name       text NOT NULL,
    -- Head office's own "store": its devices may run imports and publish.
    head_office boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL
);

CREATE TABLE devices (
    id          uuid PRIMARY KEY,
    store_code  text NOT NULL REFERENCES stores(code),
    name        text NOT NULL,
    token_hash  bytea NOT NULL UNIQUE,
    enrolled_at timestamptz NOT NULL,
    revoked_at  timestamptz
);

CREATE TABLE enrolments (
    code_hash  bytea PRIMARY KEY,
    store_code text NOT NULL REFERENCES stores(code),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    device_id  uuid REFERENCES devices(id)
);

CREATE TABLE changes (
    seq         bigserial NOT NULL,
    xid         bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    id          uuid PRIMARY KEY,
    kind        text NOT NULL,
    entity_id   uuid NOT NULL,
    store_code  text NOT NULL,
    device_id   uuid NOT NULL,
    hlc         text NOT NULL,
    payload     jsonb NOT NULL,
    scope       text NOT NULL CHECK (scope IN ('store', 'chain')),
    pushed_by   uuid,
    received_at timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX changes_feed ON changes (xid, seq);
CREATE INDEX changes_store_feed ON changes (store_code, xid, seq);

-- What imports match against and key on. `record` is the JSON record as
-- served in the feed.
CREATE TABLE web_customers (
    id         uuid PRIMARY KEY,
    email_norm text,
    phone_norm text,
    record     jsonb NOT NULL
);
CREATE INDEX web_customers_email ON web_customers (email_norm);
CREATE INDEX web_customers_phone ON web_customers (phone_norm);

CREATE TABLE products (
    id     uuid PRIMARY KEY,
    sku    text NOT NULL UNIQUE,
    record jsonb NOT NULL
);

CREATE TABLE web_orders (
    source       text NOT NULL,
    number       text NOT NULL,
    id           uuid NOT NULL UNIQUE,
    content_hash bytea NOT NULL,
    record       jsonb NOT NULL,
    PRIMARY KEY (source, number)
);
