-- Dossiers opened online (the web shop) or by phone (customer service) are
-- numbered by head office: one series per prefix (WEB, TEL) and year, each
-- number given once (`last` only grows; the upsert locks the row, so two
-- instances never give the same number).
CREATE TABLE dossier_numbers (
    prefix text NOT NULL,
    year   integer NOT NULL,
    last   integer NOT NULL CHECK (last > 0),
    PRIMARY KEY (prefix, year)
);

-- The lines of the imported web orders, by id: what a dossier opened online
-- may be about (the line must be one of the customer's).
CREATE TABLE web_order_lines (
    line_id     uuid PRIMARY KEY,
    order_id    uuid NOT NULL,
    customer_id uuid NOT NULL
);
CREATE INDEX web_order_lines_order ON web_order_lines (order_id);

-- The customer or dossier a change is about (the online endpoints check that
-- head office knows it).
CREATE INDEX changes_entity ON changes (entity_id, kind);
