//! Opening a dossier on the large demo database, through the same code path
//! as the app (validation, serial check, numbering, committed deadline on the
//! store calendar, dossier + first event in one transaction), next to a raw
//! baseline measured in the same run: the same two INSERTs in one
//! transaction, nothing else.
//!
//! Then each dossier action on the dossiers just opened (diagnose, a note,
//! an assignment: validation, the fold of the timeline, projection and
//! outbox row in one transaction) next to the raw INSERT of one event row in
//! a transaction; and `dossier verify` over every dossier of the database.
//!
//! ```text
//! cargo bench -p comptoir-store --bench dossier
//! ```
//! The rows it adds are removed again at the end (the timeline triggers are
//! dropped and recreated around the clean-up), so the database stays the
//! same for the next run.
#![allow(clippy::unwrap_used)] // tests and benches: a failed unwrap is a failed run

mod common;

use common::RawPool;

use std::time::Instant;

use chrono::Utc;
use common::{ms, stats};
use comptoir_core::dossier::{ItemCondition, OpenDossierInput};
use comptoir_core::ids::{CustomerId, DossierEventId, DossierId, OrderLineId};
use comptoir_core::workflow::DossierAction;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const OPENS: usize = 1_000;

#[tokio::main]
async fn main() {
    let store = common::open_bench_store().await;
    let pool = store.pool().clone();
    let max_seq: i64 = sqlx::query_scalar("SELECT max(seq) FROM customers")
        .fetch_one(&pool)
        .await
        .unwrap();
    let started_at = Utc::now();

    // dossier verify over every dossier of the database as generated.
    let dossiers: i64 = sqlx::query_scalar("SELECT count(*) FROM dossiers")
        .fetch_one(&pool)
        .await
        .unwrap();
    let t = Instant::now();
    let differ = store.verify_dossiers().await.unwrap();
    println!(
        "dossier verify: {dossiers} dossiers in {:.2} s ({} differ)",
        t.elapsed().as_secs_f64(),
        differ.len()
    );

    // Intakes on random customers' purchased lines, serial read correctly.
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mut intakes = Vec::with_capacity(OPENS);
    while intakes.len() < OPENS {
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
            intakes.push(OpenDossierInput {
                customer_id,
                order_line_id: Some(line),
                declared_product: None,
                reason_code: "defect.no_power".into(),
                customer_words: "L'appareil ne s'allume plus depuis hier soir.".into(),
                condition: ItemCondition::Good,
                condition_note: None,
                accessories: vec!["Câble d'alimentation".into()],
                serial_number: serial,
                actor: "Bench".into(),
                assignee: None,
                sealed: false,
                severity: comptoir_core::policy::Severity::Major,
                defect_noticed_on: None,
                decision: None,
                approval: None,
            });
        }
    }

    let mut ours = Vec::with_capacity(OPENS);
    let mut base = Vec::with_capacity(OPENS);
    let mut opened = Vec::with_capacity(OPENS);
    for (i, intake) in intakes.iter().enumerate() {
        let t = Instant::now();
        opened.push(store.open_dossier(intake, Utc::now()).await.unwrap());
        ours.push(t.elapsed());

        let t = Instant::now();
        let mut tx = pool.begin().await.unwrap();
        let id = DossierId::new();
        let number = format!("SAV-BASE-2026-{i:06}");
        sqlx::query(
            "INSERT INTO dossiers (id, number, number_norm, origin, customer_id, order_line_id, reason_code,
                 customer_words, opened_at, promised_at, status, opened_by)
             VALUES (?, ?, ?, 'store', ?, ?, 'defect.no_power', ?, ?, ?, 'opened', 'Bench')",
        )
        .bind(id)
        .bind(&number)
        .bind(number.replace('-', ""))
        .bind(intake.customer_id)
        .bind(intake.order_line_id)
        .bind(&intake.customer_words)
        .bind(Utc::now())
        .bind(Utc::now())
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query("INSERT INTO dossier_events (id, dossier_id, at, actor, kind, status_after) VALUES (?, ?, ?, 'Bench', 'opened', 'opened')")
            .bind(DossierEventId::new())
            .bind(id)
            .bind(Utc::now())
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        base.push(t.elapsed());
    }
    let (o, b) = (stats(ours), stats(base));
    println!();
    println!(
        "{:<24} {:>6} {:>9} {:>9} {:>9} {:>9}",
        "latency (ms)", "n", "p50", "p95", "p99", "max"
    );
    for (label, s) in [("open_dossier (ours)", &o), ("raw 2 INSERTs in a tx", &b)] {
        println!(
            "{label:<24} {:>6} {:>9} {:>9} {:>9} {:>9}",
            s.n,
            ms(s.p50),
            ms(s.p95),
            ms(s.p99),
            ms(s.max)
        );
    }

    // Each action on the dossiers just opened, next to one raw event INSERT.
    let mut raw = Vec::with_capacity(OPENS);
    let mut diagnose = Vec::with_capacity(OPENS);
    let mut note = Vec::with_capacity(OPENS);
    let mut assign = Vec::with_capacity(OPENS);
    for id in &opened {
        let t = Instant::now();
        store
            .dossier_action(
                *id,
                DossierAction::Diagnose,
                "Bench",
                Some("Carte mère HS"),
                Utc::now(),
            )
            .await
            .unwrap();
        diagnose.push(t.elapsed());
        let t = Instant::now();
        store
            .add_note(*id, "Bench", "Client prévenu par SMS", Utc::now())
            .await
            .unwrap();
        note.push(t.elapsed());
        let t = Instant::now();
        store
            .assign(*id, Some("Karim B."), "Bench", Utc::now())
            .await
            .unwrap();
        assign.push(t.elapsed());
        let t = Instant::now();
        let mut tx = pool.begin().await.unwrap();
        // The same row the write path appends for a note, typed body
        // included, without validation, fold, projection or outbox.
        let hlc = comptoir_core::hlc::Hlc {
            physical_ms: u64::try_from(Utc::now().timestamp_millis()).unwrap(),
            logical: 0,
        };
        sqlx::query(
            "INSERT INTO dossier_events (id, dossier_id, at, actor, kind, note, hlc, device_id, body)
             VALUES (?, ?, ?, 'Bench', 'note', 'Client prévenu', ?, ?, '{\"type\":\"note\"}')",
        )
        .bind(DossierEventId::new())
        .bind(*id)
        .bind(Utc::now())
        .bind(hlc.to_string())
        .bind(uuid::Uuid::nil())
        .execute(&mut *tx)
        .await
        .unwrap();
        tx.commit().await.unwrap();
        raw.push(t.elapsed());
    }
    println!();
    for (label, d) in [
        ("diagnose (ours)", diagnose),
        ("note (ours)", note),
        ("assign (ours)", assign),
        ("raw 1 event INSERT in a tx", raw),
    ] {
        let s = stats(d);
        println!(
            "{label:<24} {:>6} {:>9} {:>9} {:>9} {:>9}",
            s.n,
            ms(s.p50),
            ms(s.p95),
            ms(s.p99),
            ms(s.max)
        );
    }

    // Leave the database as it was.
    let mut tx = pool.begin().await.unwrap();
    for sql in [
        "DROP TRIGGER dossier_events_are_append_only_delete",
        "DELETE FROM dossier_events WHERE actor = 'Bench'",
        "DELETE FROM outbox WHERE entity_id IN (SELECT id FROM dossiers WHERE opened_by = 'Bench')",
        "DELETE FROM dossiers WHERE opened_by = 'Bench'",
        "CREATE TRIGGER dossier_events_are_append_only_delete BEFORE DELETE ON dossier_events
         BEGIN SELECT RAISE(ABORT, 'dossier events are append-only'); END",
    ] {
        sqlx::query(sql).execute(&mut *tx).await.unwrap();
    }
    sqlx::query("DELETE FROM dossier_sequences")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let _ = started_at;
}
