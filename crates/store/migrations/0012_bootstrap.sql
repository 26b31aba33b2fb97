-- Version 12: the counter's first load from the central server (issue 10).
--
-- A newly enrolled counter receives the chain's data as one streamed
-- bootstrap, applied in batches each stored with its cursor (a kill or a
-- cut link resumes after the last batch stored). `bootstrapped_at` is set
-- once a stream has been received to its end: from then on the counter
-- follows the feed with ordinary pulls. Enrolling with another server
-- clears it (that server's feed is loaded from its start).
ALTER TABLE sync_link ADD COLUMN bootstrapped_at TEXT;

-- A customer received from head office (`customer.imported`) is head
-- office's own record: head office already matched it by e-mail, then
-- phone, against the chain. It is never taken for the local twin of
-- another imported customer that shares a phone with it (a family's
-- landline): only customers made here before head office knew them are.
ALTER TABLE customers ADD COLUMN from_head_office INTEGER NOT NULL DEFAULT 0
    CHECK (from_head_office IN (0, 1));

-- The same for orders: an order received from head office is never
-- another's local twin. A counter that holds no record of its own (a new
-- counter filled by bootstrap) skips every twin and alias lookup.
ALTER TABLE orders ADD COLUMN from_head_office INTEGER NOT NULL DEFAULT 0
    CHECK (from_head_office IN (0, 1));
