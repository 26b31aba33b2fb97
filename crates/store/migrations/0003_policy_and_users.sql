-- Version 3: the unified return policy at the counter, and its users.

-- Policy documents published by head office (TOML text, checked against the
-- legal floor before it is stored). The one in force on a date is the
-- latest effective_from on or before it.
CREATE TABLE policies (
    id             TEXT NOT NULL,
    version        TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    document       TEXT NOT NULL,
    installed_at   TEXT NOT NULL,
    PRIMARY KEY (id, version)
) STRICT;
CREATE INDEX policies_by_effective ON policies (effective_from);

-- Counter users. PINs are argon2id hashes; five wrong PINs in a row lock
-- the account for fifteen minutes.
CREATE TABLE users (
    id              BLOB PRIMARY KEY NOT NULL,
    login           TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('clerk', 'manager')),
    pin_hash        TEXT NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
    locked_until    TEXT,
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at      TEXT NOT NULL
) STRICT;

-- Which kind of case a reason is for the policy engine (NULL: the reason
-- needs no policy decision, e.g. help with set-up).
ALTER TABLE reasons ADD COLUMN policy_reason TEXT
    CHECK (policy_reason IN ('defect', 'delivery_damage', 'wrong_item', 'change_of_mind'));
UPDATE reasons SET policy_reason = 'defect' WHERE code LIKE 'defect.%';
UPDATE reasons SET policy_reason = 'delivery_damage' WHERE code = 'delivery.damaged_by_carrier';
UPDATE reasons SET policy_reason = 'wrong_item' WHERE code IN ('delivery.wrong_item', 'delivery.missing_part');
-- The same reason for every channel: the engine tells withdrawal (distance
-- sales) from the chain's own change-of-mind returns.
UPDATE reasons SET policy_reason = 'change_of_mind',
    label = 'Retour sans motif : le client a changé d''avis'
    WHERE code = 'withdrawal.changed_mind';

-- What intake records for the policy, and the decision taken (JSON of
-- comptoir_core::policy::DecisionRecord; the timeline keeps every one).
ALTER TABLE dossiers ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0 CHECK (sealed IN (0, 1));
ALTER TABLE dossiers ADD COLUMN severity TEXT NOT NULL DEFAULT 'major'
    CHECK (severity IN ('minor', 'major', 'critical'));
ALTER TABLE dossiers ADD COLUMN decision TEXT;
-- Cost of the goodwill gesture granted by the decision (cents).
ALTER TABLE dossiers ADD COLUMN gesture_cents INTEGER CHECK (gesture_cents >= 0);
CREATE INDEX dossiers_by_order_line ON dossiers (order_line_id) WHERE order_line_id IS NOT NULL;
