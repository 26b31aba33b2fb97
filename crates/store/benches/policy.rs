//! The return policy at the counter on the large demo database, through the
//! same code path as the app, next to baselines measured in the same run:
//!
//! - `policy_preview` (reads the line, the reason, the customer's recent
//!   dossiers and 24-month spend, earlier remedies on the line, the policy
//!   in force; builds the case; evaluates) vs the raw SQL that reads the
//!   line's facts alone;
//! - `evaluate` alone (the pure engine, policy already parsed);
//! - a manager's PIN check (`verify_manager`: argon2id, deliberately slow)
//!   vs reading the user's row.
//!
//! ```text
//! cargo bench -p comptoir-store --bench policy
//! ```
//! The database is migrated if needed and gets the default policy and one
//! bench manager; nothing else is written.
#![allow(clippy::unwrap_used)] // tests and benches: a failed unwrap is a failed run

mod common;

use common::RawPool;

use std::time::Instant;

use chrono::Utc;
use common::{ms, stats};
use comptoir_core::auth::{ManagerApproval, Role};
use comptoir_core::dossier::ItemCondition;
use comptoir_core::ids::{CustomerId, OrderLineId};
use comptoir_core::policy::{evaluate, Policy, PolicyQuery, Severity};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const CASES: usize = 1_000;
const PIN_CHECKS: usize = 20;

#[tokio::main]
async fn main() {
    let store = common::open_bench_store().await;
    store.ensure_default_policy(Utc::now()).await.unwrap();
    if store
        .users(Utc::now())
        .await
        .unwrap()
        .iter()
        .all(|u| u.login != "bench.manager")
    {
        store
            .add_user(
                "bench.manager",
                "Bench Manager",
                Role::Manager,
                "4826",
                Utc::now(),
            )
            .await
            .unwrap();
    }
    let pool = store.pool().clone();
    let max_seq: i64 = sqlx::query_scalar("SELECT max(seq) FROM customers")
        .fetch_one(&pool)
        .await
        .unwrap();

    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let reasons = [
        "defect.no_power",
        "withdrawal.changed_mind",
        "delivery.wrong_item",
    ];
    let mut queries = Vec::with_capacity(CASES);
    while queries.len() < CASES {
        let seq = rng.random_range(1..=max_seq);
        let row: Option<(CustomerId, OrderLineId)> = sqlx::query_as(
            "SELECT c.id, l.id FROM customers c JOIN orders o ON o.customer_id = c.id
             JOIN order_lines l ON l.order_id = o.id WHERE c.seq = ? LIMIT 1",
        )
        .bind(seq)
        .fetch_optional(&pool)
        .await
        .unwrap();
        if let Some((customer_id, line)) = row {
            queries.push(PolicyQuery {
                customer_id,
                order_line_id: Some(line),
                reason_code: reasons[queries.len() % reasons.len()].into(),
                condition: ItemCondition::Good,
                sealed: false,
                severity: Severity::Major,
                defect_noticed_on: None,
            });
        }
    }

    // Warm-up, then measure ours and the baseline alternately.
    for q in queries.iter().take(50) {
        store.policy_preview(q, Utc::now()).await.unwrap();
    }
    let mut ours = Vec::with_capacity(CASES);
    let mut base = Vec::with_capacity(CASES);
    let mut decisions = Vec::with_capacity(CASES);
    for q in &queries {
        let t = Instant::now();
        let p = store.policy_preview(q, Utc::now()).await.unwrap();
        ours.push(t.elapsed());
        assert!(p.decision.is_some(), "{:?}", p.unavailable);
        decisions.push(p);

        let t = Instant::now();
        let _: (String, String, Option<String>, i64, i64, String, String) = sqlx::query_as(
            "SELECT o.channel, o.ordered_at, o.delivered_at, o.shipping_cents, l.unit_price_cents,
                    p.category, p.sold_as
             FROM order_lines l JOIN orders o ON o.id = l.order_id
             JOIN products p ON p.id = l.product_id WHERE l.id = ?",
        )
        .bind(q.order_line_id)
        .fetch_one(&pool)
        .await
        .unwrap();
        base.push(t.elapsed());
    }

    // The pure engine alone, on a case rebuilt from a preview's facts.
    let policy = Policy::default_policy().unwrap();
    let case: comptoir_core::policy::Case = serde_json::from_value(serde_json::json!({
        "channel": "web", "purchase_date": "2026-10-02", "delivery_date": "2026-10-05",
        "request_date": "2026-11-23", "category": "small_appliance", "sold_as": "new",
        "item_state": "opened", "reason": "defect", "price": 39900, "delivery_paid": 499,
        "customer": { "dossiers_last_30_days": 2, "value_tier": "loyal" }
    }))
    .unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let mut engine = Vec::with_capacity(CASES);
    for _ in 0..CASES {
        let t = Instant::now();
        let d = evaluate(&policy, &case, today).unwrap();
        engine.push(t.elapsed());
        std::hint::black_box(d);
    }

    let approval = ManagerApproval {
        login: "bench.manager".into(),
        pin: "4826".into(),
    };
    let mut pin = Vec::with_capacity(PIN_CHECKS);
    let mut row = Vec::with_capacity(PIN_CHECKS);
    for _ in 0..PIN_CHECKS {
        let t = Instant::now();
        store.verify_manager(&approval, Utc::now()).await.unwrap();
        pin.push(t.elapsed());
        let t = Instant::now();
        let _: (String, String) =
            sqlx::query_as("SELECT login, pin_hash FROM users WHERE login = 'bench.manager'")
                .fetch_one(&pool)
                .await
                .unwrap();
        row.push(t.elapsed());
    }

    println!();
    println!(
        "{:<34} {:>6} {:>9} {:>9} {:>9} {:>9}",
        "latency (ms)", "n", "p50", "p95", "p99", "max"
    );
    for (label, s) in [
        ("policy_preview (ours)", stats(ours)),
        ("raw SQL: the line's facts", stats(base)),
        ("evaluate (pure engine)", stats(engine)),
        ("verify_manager (argon2id)", stats(pin)),
        ("raw SQL: the user's row", stats(row)),
    ] {
        println!(
            "{label:<34} {:>6} {:>9} {:>9} {:>9} {:>9}",
            s.n,
            ms(s.p50),
            ms(s.p95),
            ms(s.p99),
            ms(s.max)
        );
    }
    let needing = decisions
        .iter()
        .filter_map(|p| p.decision.as_ref())
        .filter(|d| d.options.iter().any(|o| o.allowed && o.needs_manager))
        .count();
    println!("\n{needing} of {CASES} cases have at least one option that needs a manager");
    store.close().await;
}
