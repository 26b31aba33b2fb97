//! Intake latency with writers queueing for the write lock: the same intake
//! (the app's code path) by one writer, then by four writers at once, each
//! with its own connection pool on the file as separate processes would
//! have (`BEGIN IMMEDIATE` + busy timeout), measured in the same run.
//!
//! ```text
//! COMPTOIR_BENCH_DB=/var/tmp/bench-<branch>.sqlite cargo bench -p comptoir-store --bench writers
//! ```
//! The rows it adds are removed at the end, as in the `dossier` bench.
#![allow(clippy::unwrap_used)] // tests and benches: a failed unwrap is a failed run

mod common;

use common::RawPool;

use std::time::{Duration, Instant};

use chrono::Utc;
use common::{ms, stats};
use comptoir_core::dossier::OpenDossierInput;
use comptoir_core::ids::{CustomerId, OrderLineId};
use comptoir_store::{OpenMode, Store};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const SINGLE: usize = 400;
const WRITERS: usize = 4;
const PER_WRITER: usize = 200;

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() {
    let store = common::open_bench_store().await;
    let path = store.path().to_owned();
    let pool = store.pool().clone();
    let max_seq: i64 = sqlx::query_scalar("SELECT max(seq) FROM customers")
        .fetch_one(&pool)
        .await
        .unwrap();

    let mut rng = ChaCha8Rng::seed_from_u64(12);
    let mut intakes = Vec::with_capacity(SINGLE + WRITERS * PER_WRITER);
    while intakes.len() < SINGLE + WRITERS * PER_WRITER {
        let seq = rng.random_range(1..=max_seq);
        let row: Option<(CustomerId, OrderLineId, Option<String>)> = sqlx::query_as(
            "SELECT c.id, l.id, (SELECT serial FROM order_line_serials s WHERE s.order_line_id = l.id LIMIT 1)
             FROM customers c JOIN orders o ON o.customer_id = c.id JOIN order_lines l ON l.order_id = o.id
             WHERE c.seq = ? LIMIT 1",
        )
        .bind(seq)
        .fetch_optional(&pool)
        .await
        .unwrap();
        if let Some((customer_id, line, serial)) = row {
            // Built from JSON, as the UI sends it.
            let input: OpenDossierInput = serde_json::from_value(serde_json::json!({
                "customer_id": customer_id, "order_line_id": line, "declared_product": null,
                "reason_code": "defect.no_power",
                "customer_words": "L'appareil ne s'allume plus depuis hier soir.",
                "condition": "good", "condition_note": null,
                "accessories": ["Câble d'alimentation"], "serial_number": serial,
                "actor": "Bench", "assignee": null
            }))
            .unwrap();
            intakes.push(input);
        }
    }
    let (single, shared) = intakes.split_at(SINGLE);

    // One writer.
    let mut alone = Vec::with_capacity(SINGLE);
    for intake in single {
        let t = Instant::now();
        store.open_dossier(intake, Utc::now()).await.unwrap();
        alone.push(t.elapsed());
    }

    // Four writers at once, each on its own pool.
    let mut handles = Vec::new();
    for chunk in shared.chunks(PER_WRITER) {
        let writer = Store::open(&path, OpenMode::MustExist).await.unwrap();
        let chunk = chunk.to_vec();
        handles.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(chunk.len());
            for intake in &chunk {
                let t = Instant::now();
                writer.open_dossier(intake, Utc::now()).await.unwrap();
                lat.push(t.elapsed());
            }
            writer.close().await;
            lat
        }));
    }
    let t = Instant::now();
    let mut together: Vec<Duration> = Vec::new();
    for h in handles {
        together.extend(h.await.unwrap());
    }
    let wall = t.elapsed();

    let (a, b) = (stats(alone), stats(together));
    println!();
    println!(
        "{:<28} {:>6} {:>9} {:>9} {:>9} {:>9}",
        "intake latency (ms)", "n", "p50", "p95", "p99", "max"
    );
    for (label, s) in [("1 writer", &a), ("4 writers at once", &b)] {
        println!(
            "{label:<28} {:>6} {:>9} {:>9} {:>9} {:>9}",
            s.n,
            ms(s.p50),
            ms(s.p95),
            ms(s.p99),
            ms(s.max)
        );
    }
    println!(
        "4 writers: {} intakes in {:.2} s ({:.0}/s)",
        WRITERS * PER_WRITER,
        wall.as_secs_f64(),
        (WRITERS * PER_WRITER) as f64 / wall.as_secs_f64()
    );

    // Leave the database as it was.
    let mut conn = pool.acquire().await.unwrap();
    let mut tx = sqlx::Connection::begin(&mut *conn).await.unwrap();
    for sql in [
        "DROP TRIGGER dossier_events_are_append_only_delete",
        "DELETE FROM dossier_events WHERE dossier_id IN (SELECT id FROM dossiers WHERE opened_by = 'Bench')",
        "DELETE FROM outbox WHERE entity_id IN (SELECT id FROM dossiers WHERE opened_by = 'Bench')",
        "DELETE FROM dossiers WHERE opened_by = 'Bench'",
        "CREATE TRIGGER dossier_events_are_append_only_delete BEFORE DELETE ON dossier_events
         BEGIN SELECT RAISE(ABORT, 'dossier events are append-only'); END",
        "DELETE FROM dossier_sequences",
    ] {
        sqlx::query(sql).execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    drop(conn);
    store.close().await;
}
