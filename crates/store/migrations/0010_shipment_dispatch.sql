-- Version 10: a shipment known by its dispatch only.
--
-- A web shop's export gives when a parcel left (Shopify's « Fulfilled at »,
-- WooCommerce's completion or Shipment Tracking's « date_shipped »), not when
-- the customer received it. Such a shipment keeps its dispatch and an
-- estimated receipt (dispatch plus the longest transit) flagged as such;
-- the counter never places an estimated receipt after the day the customer
-- stands there with the product.
ALTER TABLE shipments ADD COLUMN shipped_at TEXT;
ALTER TABLE shipments ADD COLUMN delivery_estimated INTEGER NOT NULL DEFAULT 0
    CHECK (delivery_estimated IN (0, 1));
