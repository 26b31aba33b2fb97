-- Version 17: the audit log travels to head office (issue 11).
--
-- The counter sends its audit entries to the central server in number
-- order, from the start of its chain (entries written before this version
-- are sent too). `audit_pushed` is the number of the last entry the server
-- has acknowledged (stored, or already there), written in the transaction
-- that takes its answer: an entry is sent again only when that answer was
-- lost, and the server then answers « duplicate ». A refusal keeps the
-- cursor where it is (the chain must reach head office whole, in order)
-- and is kept here with the server's code and reason until an entry is
-- accepted again. Enrolling as another device starts over from the first
-- entry (the server keeps one chain per device).
ALTER TABLE sync_link ADD COLUMN audit_pushed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_link ADD COLUMN audit_error_code TEXT;
ALTER TABLE sync_link ADD COLUMN audit_error TEXT;
