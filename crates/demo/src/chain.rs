//! The demo chain as head office holds it: what `comptoir-server
//! demo-data` loads into the central server, so that a demo counter gets
//! its customers, orders and dossiers the way a real one does — by
//! bootstrap. The same generator, seed and reference date as
//! [`crate::generate`]: the showcase customers first, then the others a
//! batch at a time (generated on their own thread while the caller writes).

use std::sync::mpsc;

use comptoir_core::changes::ImportedOrder;
use comptoir_core::records::{CustomerRecord, DossierRecord};

use crate::{fulfilment, gen, showcase, Catalog, DemoConfig, BATCH};

/// One batch of the chain's data.
#[derive(Debug, Default)]
pub struct ChainBatch {
    pub customers: Vec<CustomerRecord>,
    /// Orders of every channel, with their parcels.
    pub orders: Vec<ImportedOrder>,
    /// Dossiers of every store and those opened online, with their events.
    pub dossiers: Vec<DossierRecord>,
    /// The story's dossiers (see [`crate::story`]): each store's year at
    /// its counter, as the typed events that counter wrote.
    pub timelines: Vec<crate::story::TimelineDossier>,
}

/// The chain's catalogue (stores, products) for `cfg`, and its batches in
/// order: `cfg.customers` customers in all, showcase ones included.
pub fn chain(cfg: &DemoConfig) -> (Catalog, impl Iterator<Item = ChainBatch>) {
    let catalog = Catalog::new(cfg.seed);
    let show = showcase::build(&catalog, cfg.seed, cfg.as_of);
    let mut show_shipments = fulfilment::split_shipments(&show.orders);
    show_shipments.extend(showcase::shipments(&show));
    let remaining = cfg.customers.saturating_sub(show.customers.len() as u64);
    let first = to_chain(show, show_shipments);
    let (tx, rx) = mpsc::sync_channel::<ChainBatch>(2);
    let gen_cfg = cfg.clone();
    let gen_catalog = Catalog::new(cfg.seed);
    std::thread::spawn(move || {
        let mut g = gen::Generator::new(gen_catalog, &gen_cfg);
        let mut left = remaining;
        while left > 0 {
            let n = left.min(BATCH);
            let b = g.batch(n);
            let shipments = fulfilment::split_shipments(&b.orders);
            if tx.send(to_chain(b, shipments)).is_err() {
                return; // the caller stopped
            }
            left -= n;
        }
    });
    (catalog, std::iter::once(first).chain(rx))
}

fn to_chain(
    b: gen::Batch,
    shipments: Vec<comptoir_core::fulfilment::ShipmentRecord>,
) -> ChainBatch {
    let mut by_order: std::collections::HashMap<_, Vec<_>> = std::collections::HashMap::new();
    for s in shipments {
        by_order.entry(s.order_id).or_default().push(s);
    }
    ChainBatch {
        customers: b.customers,
        orders: b
            .orders
            .into_iter()
            .map(|order| ImportedOrder {
                shipments: by_order.remove(&order.id).unwrap_or_default(),
                order,
            })
            .collect(),
        dossiers: b.dossiers,
        timelines: b.timelines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chain_has_every_customer_once_with_their_orders_and_parcels() {
        let cfg = DemoConfig::new(2_500);
        let (catalog, batches) = chain(&cfg);
        assert!(catalog.stores.iter().any(|s| s.code == "LYO1"));
        let batches: Vec<ChainBatch> = batches.collect();
        let customers: Vec<_> = batches.iter().flat_map(|b| &b.customers).collect();
        assert_eq!(customers.len(), 2_500);
        let ids: std::collections::HashSet<_> = customers.iter().map(|c| c.id).collect();
        assert_eq!(ids.len(), 2_500, "each customer once");
        let orders: Vec<_> = batches.iter().flat_map(|b| &b.orders).collect();
        assert!(orders.iter().all(|o| ids.contains(&o.order.customer_id)));
        assert!(
            orders.iter().any(|o| !o.shipments.is_empty()),
            "web orders have parcels"
        );
        assert!(orders
            .iter()
            .all(|o| o.shipments.iter().all(|s| s.order_id == o.order.id)));
        let dossiers: Vec<_> = batches.iter().flat_map(|b| &b.dossiers).collect();
        assert!(dossiers.iter().any(|d| d.number.starts_with("SAV-WEB-")));
        assert!(dossiers.iter().any(|d| d.number.starts_with("SAV-LYO1-")));
    }
}
