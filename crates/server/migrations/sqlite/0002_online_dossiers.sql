-- Dossiers opened online (the web shop) or by phone (customer service) are
-- numbered by head office: one series per prefix (WEB, TEL) and year, each
-- number given once (`last` only grows).
CREATE TABLE dossier_numbers (
    prefix TEXT NOT NULL,
    year   INTEGER NOT NULL,
    last   INTEGER NOT NULL CHECK (last > 0),
    PRIMARY KEY (prefix, year)
) STRICT;

-- The lines of the imported web orders, by id: what a dossier opened online
-- may be about (the line must be one of the customer's).
CREATE TABLE web_order_lines (
    line_id     BLOB PRIMARY KEY,
    order_id    BLOB NOT NULL,
    customer_id BLOB NOT NULL
) STRICT;
CREATE INDEX web_order_lines_order ON web_order_lines (order_id);

-- The customer or dossier a change is about (the online endpoints check that
-- head office knows it).
CREATE INDEX changes_entity ON changes (entity_id, kind);
