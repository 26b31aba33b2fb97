-- Version 2: the dossier from intake to closure and follow-up.

-- Why customers come: the reason taxonomy is data (editable), with the
-- promise the store makes for each and whether the legal conformity
-- guarantee can apply (a defect, within two years of delivery).
CREATE TABLE reasons (
    code          TEXT PRIMARY KEY NOT NULL,
    label         TEXT NOT NULL,
    promise_unit  TEXT NOT NULL CHECK (promise_unit IN ('working_hours', 'working_days')),
    promise_count INTEGER NOT NULL CHECK (promise_count > 0),
    conformity    INTEGER NOT NULL DEFAULT 0 CHECK (conformity IN (0, 1)),
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    position      INTEGER NOT NULL DEFAULT 0
) STRICT;

INSERT INTO reasons (code, label, promise_unit, promise_count, conformity, position) VALUES
  ('defect.no_power', 'Panne : l''appareil ne s''allume plus', 'working_hours', 48, 1, 10),
  ('defect.noise', 'Panne : bruit anormal', 'working_hours', 48, 1, 20),
  ('defect.leak', 'Panne : fuite', 'working_hours', 48, 1, 30),
  ('defect.display', 'Panne : écran ou affichage', 'working_hours', 48, 1, 40),
  ('defect.battery', 'Panne : batterie ou charge', 'working_hours', 48, 1, 50),
  ('defect.intermittent', 'Panne intermittente', 'working_days', 5, 1, 60),
  ('delivery.damaged_by_carrier', 'Livraison : colis endommagé par le transporteur', 'working_hours', 24, 1, 70),
  ('delivery.wrong_item', 'Livraison : mauvais article reçu', 'working_hours', 24, 1, 80),
  ('delivery.missing_part', 'Livraison : pièce ou accessoire manquant', 'working_hours', 48, 1, 90),
  ('usage.setup_help', 'Aide à l''installation ou à l''utilisation', 'working_hours', 8, 0, 100),
  ('billing.double_charge', 'Facturation : double débit', 'working_hours', 48, 0, 110),
  ('withdrawal.changed_mind', 'Rétractation : le client a changé d''avis', 'working_hours', 24, 0, 120);

-- A store's business calendar (comptoir_core::calendar::CalendarConfig as
-- JSON); a store without a row uses the default calendar.
CREATE TABLE store_calendars (
    store_id BLOB PRIMARY KEY NOT NULL REFERENCES stores (id),
    config   TEXT NOT NULL
) STRICT;

-- Dossier numbers are never reused: the last sequence given per prefix
-- (store code, WEB, TEL) and year.
CREATE TABLE dossier_sequences (
    prefix TEXT NOT NULL,
    year   INTEGER NOT NULL,
    last   INTEGER NOT NULL,
    PRIMARY KEY (prefix, year)
) STRICT;

-- Closing messages, editable.
CREATE TABLE message_templates (
    code  TEXT PRIMARY KEY NOT NULL,
    title TEXT NOT NULL,
    body  TEXT NOT NULL
) STRICT;

INSERT INTO message_templates (code, title, body) VALUES
  ('closing.repaired', 'Produit réparé',
   'Bonjour {client},\n\nMerci pour votre confiance. Votre {produit} (dossier {dossier}) a été réparé : {resolution}.\nSi le problème revenait, présentez-vous simplement au comptoir SAV de {magasin} avec ce numéro de dossier : nous reprendrons votre dossier sans rien vous redemander.\n\nL''équipe SAV de {magasin}'),
  ('closing.replaced', 'Produit remplacé',
   'Bonjour {client},\n\nMerci pour votre patience. Votre {produit} (dossier {dossier}) a été remplacé : {resolution}.\nVotre nouveau produit bénéficie de la garantie légale de conformité. Pour toute question, revenez au comptoir SAV de {magasin} avec ce numéro de dossier.\n\nL''équipe SAV de {magasin}'),
  ('closing.refunded', 'Remboursement effectué',
   'Bonjour {client},\n\nVotre demande (dossier {dossier}) est close : {resolution}.\nMerci de votre confiance ; le comptoir SAV de {magasin} reste à votre écoute.\n\nL''équipe SAV de {magasin}'),
  ('closing.advice', 'Conseil donné',
   'Bonjour {client},\n\nMerci de votre visite. Pour votre {produit} (dossier {dossier}) : {resolution}.\nSi besoin, revenez au comptoir SAV de {magasin} avec ce numéro de dossier.\n\nL''équipe SAV de {magasin}');

ALTER TABLE dossiers ADD COLUMN condition TEXT;
ALTER TABLE dossiers ADD COLUMN condition_note TEXT;
ALTER TABLE dossiers ADD COLUMN accessories TEXT NOT NULL DEFAULT '[]';
ALTER TABLE dossiers ADD COLUMN serial_number TEXT;
ALTER TABLE dossiers ADD COLUMN assignee TEXT;
ALTER TABLE dossiers ADD COLUMN opened_by TEXT;
ALTER TABLE dossiers ADD COLUMN promise TEXT;
ALTER TABLE dossiers ADD COLUMN legal_cap_at TEXT;
ALTER TABLE dossiers ADD COLUMN resolution TEXT;
ALTER TABLE dossiers ADD COLUMN follow_up_due TEXT;
ALTER TABLE dossiers ADD COLUMN followed_up_at TEXT;
ALTER TABLE dossiers ADD COLUMN csat_score INTEGER CHECK (csat_score BETWEEN 1 AND 5);
ALTER TABLE dossiers ADD COLUMN csat_comment TEXT;

ALTER TABLE dossier_events ADD COLUMN data TEXT;

CREATE INDEX dossiers_by_store_status ON dossiers (store_id, status);
CREATE INDEX dossiers_by_assignee ON dossiers (assignee, status);
CREATE INDEX dossiers_by_follow_up ON dossiers (follow_up_due) WHERE followed_up_at IS NULL;
