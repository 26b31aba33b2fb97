-- Version 18: the customers and orders made at this counter, found without
-- reading every row.
--
-- Every page received from head office asks first whether the counter
-- holds records head office did not send (`from_head_office = 0`: a demo
-- or a shop loaded before enrolment); only then are imported records
-- matched against local twins. On a counter filled by bootstrap no such
-- row exists, and the question read the whole table — once a page, the
-- table growing with every page. These partial indexes hold only the
-- rows made here: the question is one step in a small (usually empty)
-- B-tree, and a row head office sends is written with its flag set, so it
-- never enters them.
CREATE INDEX customers_made_here ON customers (seq) WHERE from_head_office = 0;
CREATE INDEX orders_made_here ON orders (id) WHERE from_head_office = 0;
