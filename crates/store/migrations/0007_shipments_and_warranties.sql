-- Version 7: deliveries per shipment, and commercial warranties.
--
-- An order delivered in several parts has one shipment per part; each of
-- its lines is in at most one shipment (the primary key of shipment_lines).
-- A line's delivery is its shipment's; a line in no shipment was delivered
-- with the order (orders.delivered_at, which for a split order is the last
-- shipment's). The withdrawal period runs from the last item received
-- (L221-18), the conformity guarantee of each line from its own delivery.
CREATE TABLE shipments (
    id           BLOB PRIMARY KEY NOT NULL,
    order_id     BLOB NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    delivered_at TEXT NOT NULL,
    carrier      TEXT,
    tracking     TEXT
) STRICT;
CREATE INDEX shipments_by_order ON shipments (order_id);

CREATE TABLE shipment_lines (
    order_line_id BLOB PRIMARY KEY NOT NULL REFERENCES order_lines (id) ON DELETE CASCADE,
    shipment_id   BLOB NOT NULL REFERENCES shipments (id) ON DELETE CASCADE
) STRICT;
CREATE INDEX shipment_lines_by_shipment ON shipment_lines (shipment_id);

-- Commercial warranties (L217-21): the brand's or the chain's for a product
-- of the catalogue, or an extended warranty sold with an order line. How
-- long, from when, who honours it.
CREATE TABLE product_warranties (
    product_id BLOB PRIMARY KEY NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    months     INTEGER NOT NULL CHECK (months BETWEEN 1 AND 120),
    starts     TEXT NOT NULL CHECK (starts IN ('purchase', 'delivery', 'legal_guarantee_end')),
    guarantor  TEXT NOT NULL CHECK (guarantor <> '')
) STRICT;

CREATE TABLE order_line_warranties (
    order_line_id BLOB PRIMARY KEY NOT NULL REFERENCES order_lines (id) ON DELETE CASCADE,
    months        INTEGER NOT NULL CHECK (months BETWEEN 1 AND 120),
    starts        TEXT NOT NULL CHECK (starts IN ('purchase', 'delivery', 'legal_guarantee_end')),
    guarantor     TEXT NOT NULL CHECK (guarantor <> '')
) STRICT;
