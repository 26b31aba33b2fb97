-- Search that forgives (issue 12).
--
-- search_terms: every distinct folded word of the customers' names and
-- cities (numbers excluded) with its French sound key
-- (comptoir_core::phonetic). Spelling corrections search these words
-- through an in-memory automaton built from this table; sound-alikes are
-- an index lookup on `sound`. Written by the store's search module in the
-- same transaction as the customer (comptoir_core::search::customer_index_entry).
-- `id` grows with every new word, so a running counter picks up the words
-- another process added (`WHERE id > last seen`).
CREATE TABLE search_terms (
    id    INTEGER PRIMARY KEY,
    term  TEXT NOT NULL UNIQUE,
    sound TEXT NOT NULL
) STRICT;
CREATE INDEX search_terms_by_sound ON search_terms (sound, term);

-- Existing databases: the word list is filled, and phone keys written the
-- national way are recomputed for their overseas region (0692… is
-- +262 692…, no longer an invalid +33 692…), by the store when it opens the
-- file (Rust: the numbering plan is the phonenumber crate's). This marks
-- the work to do; the store removes the mark in the transaction that does it.
INSERT INTO settings (key, value)
SELECT 'search_reindex', 'pending' WHERE EXISTS (SELECT 1 FROM customers);

-- The store calendar's holiday region (metropolitan, Alsace-Moselle, each
-- overseas region) lives in the calendar's JSON (`holiday_region`, in
-- store_calendars.config): no column needed. Calendars that only say
-- "alsace_moselle": true keep meaning Alsace-Moselle.
