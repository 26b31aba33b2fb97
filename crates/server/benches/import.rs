//! Shopify import throughput (lines/s) next to parsing the same file alone,
//! on an embedded SQLite server database.
//!
//! ```text
//! cargo bench -p comptoir-server --bench import     # COMPTOIR_BENCH_LINES=100000
//! ```
#![allow(clippy::unwrap_used)]

// The server binary's allocator (see `src/main.rs`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::fmt::Write;
use std::time::Instant;

use comptoir_server::import::{self, Source};
use comptoir_server::storage::sqlite::SqliteStorage;

/// A Shopify export of `lines` rows: two line items per order, the order's
/// fields on the first row, every fifth note on two lines.
fn export(lines: usize) -> String {
    let mut s = String::from("Name,Email,Financial Status,Paid at,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Name,Billing Address1,Billing City,Billing Zip,Billing Country,Billing Phone,Notes,Payment Method,Phone\n");
    let orders = lines / 2;
    for o in 0..orders {
        let n = 10_000 + o;
        let note = if o % 5 == 0 {
            "\"Livrer après 18h.\nDigicode 12B\""
        } else {
            ""
        };
        let _ = writeln!(s, "#{n},client{c}@example.fr,paid,2026-10-02 14:31:07 +0200,no,EUR,1323.50,0.00,220.58,1323.50,2026-10-02 14:31:07 +0200,1,Téléviseur 55 pouces,1299.00,TV-{p},Client{c} Nom{c},12 rue Paul Bert,Lyon,'69003,FR,06 12 {a:02} {b:02} {d:02},{note},Shopify Payments,",
            c = o % 40_000, p = o % 300, a = (o / 10_000) % 100, b = (o / 100) % 100, d = o % 100);
        let _ = writeln!(s, "#{n},client{c}@example.fr,,,,,,,,,2026-10-02 14:31:07 +0200,1,Câble HDMI 2 m,24.50,CAB-{p},,,,,,,,,", c = o % 40_000, p = o % 50);
    }
    s
}

#[tokio::main]
async fn main() {
    let lines: usize = std::env::var("COMPTOIR_BENCH_LINES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let csv = export(lines);
    let t = Instant::now();
    let parsed = import::shopify::parse(csv.as_bytes()).unwrap();
    let parse_s = t.elapsed().as_secs_f64();
    assert_eq!(parsed.rows, lines / 2 * 2);
    assert!(parsed.errors.is_empty());

    let dir = tempfile::tempdir().unwrap();
    let st = SqliteStorage::open(&dir.path().join("bench.sqlite"))
        .await
        .unwrap();
    let t = Instant::now();
    let report = import::run(&st, Source::ShopifyCsv, csv.as_bytes(), Default::default())
        .await
        .unwrap();
    let import_s = t.elapsed().as_secs_f64();
    assert_eq!(report.totals.imported, lines / 2);
    let t = Instant::now();
    let again = import::run(&st, Source::ShopifyCsv, csv.as_bytes(), Default::default())
        .await
        .unwrap();
    let again_s = t.elapsed().as_secs_f64();
    assert_eq!(again.totals.skipped, lines / 2);

    let rate = |s: f64| lines as f64 / s;
    println!(
        "Shopify export, {lines} lines ({} orders), SQLite backend",
        lines / 2
    );
    println!(
        "parse only            {:>8.2} s  {:>9.0} lines/s",
        parse_s,
        rate(parse_s)
    );
    println!(
        "import (first time)   {:>8.2} s  {:>9.0} lines/s",
        import_s,
        rate(import_s)
    );
    println!(
        "import again (no-op)  {:>8.2} s  {:>9.0} lines/s",
        again_s,
        rate(again_s)
    );
}
