//! The manager's dashboard on the large demo database, through the same
//! code as the app, next to the raw SQL aggregates measured in the same run:
//!
//! - `Store::dashboard` over a period of ~100,000 dossiers (every store's,
//!   `Scope::Chain`), and over the local store's dossiers of the same period;
//! - the raw SQL: the same aggregates as plain sqlx statements on a pool of
//!   its own over the narrow `dossier_figures` table (counts, by product
//!   and reason, decisions, repeat customers, the per-dossier instants as
//!   one JSON value, the backlog), without the working-hour arithmetic;
//!   and, three times, the statements the dashboard ran before it (over
//!   the dossiers and their events);
//! - a drill-down list (`Figure::Reason`, first 200) and the CSV export of
//!   every dossier of the period.
//!
//! ```text
//! cargo bench -p comptoir-store --bench report
//! ```
//! Nothing is written (the file is migrated if needed, as every bench does).
#![allow(clippy::unwrap_used)] // tests and benches: a failed unwrap is a failed run

mod common;

use common::RawPool;

use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeZone, Utc};
use common::{ms, stats};
use comptoir_core::report::{write_csv, CsvOptions, Delimiter, Figure, ReportQuery, Scope};

const RUNS: usize = 10;

fn print(what: &str, d: Vec<Duration>) {
    let s = stats(d);
    println!(
        "{what:<44} p50 {} ms · p95 {} ms · p99 {} ms · max {} ms (n = {})",
        ms(s.p50),
        ms(s.p95),
        ms(s.p99),
        ms(s.max),
        s.n
    );
}

/// The raw statements: the same aggregates as plain SQL over the narrow
/// `dossier_figures` table (what SQL alone does best with the same data).
const RAW: &[&str] = &[
    "SELECT count(*), sum(status NOT IN ('handed_back','closed','cancelled')),
            sum(status IN ('handed_back','closed')), sum(status = 'cancelled'),
            sum(status IN ('handed_back','closed') AND closed_at > promised_at),
            sum(csat_score = 1), sum(csat_score = 2), sum(csat_score = 3), sum(csat_score = 4),
            sum(csat_score = 5), sum(origin = 'store'), sum(origin = 'web'), sum(origin = 'phone')
     FROM dossier_figures d WHERE d.opened_at >= ?1 AND d.opened_at < ?2",
    "SELECT d.product_id, p.sku, p.name, p.brand, d.reason_code, count(*)
     FROM dossier_figures d LEFT JOIN products p ON p.id = d.product_id
     WHERE d.opened_at >= ?1 AND d.opened_at < ?2 GROUP BY d.product_id, d.reason_code",
    "SELECT d.reason_code, basis, decided_by, approved_by, count(*), sum(gesture_cents > 0),
            sum(gesture_cents)
     FROM dossier_figures d WHERE d.opened_at >= ?1 AND d.opened_at < ?2 AND d.decided
     GROUP BY 1, 2, 3, 4",
    "SELECT d.customer_id, count(*) AS n FROM dossier_figures d
     WHERE d.opened_at >= ?1 AND d.opened_at < ?2 GROUP BY d.customer_id HAVING n >= 2",
    "SELECT json_group_array(json_array(d.opened_at, d.status, d.closed_at, d.promised_at,
            d.first_response_at, d.customer_waits))
     FROM dossier_figures d WHERE d.opened_at >= ?1 AND d.opened_at < ?2",
    "SELECT d.opened_at, d.promised_at FROM dossier_figures d
     WHERE d.status NOT IN ('handed_back', 'closed', 'cancelled') AND ?1 <= ?2",
];

/// The statements the dashboard ran before `dossier_figures` (over the
/// dossiers and their events), for the record.
const BEFORE: &[&str] = &[
    "SELECT count(*), sum(status NOT IN ('handed_back','closed','cancelled')),
            sum(status IN ('handed_back','closed')), sum(status = 'cancelled'),
            sum(status IN ('handed_back','closed') AND closed_at > promised_at),
            sum(csat_score = 1), sum(csat_score = 2), sum(csat_score = 3), sum(csat_score = 4),
            sum(csat_score = 5), sum(origin = 'store'), sum(origin = 'web'), sum(origin = 'phone')
     FROM dossiers d WHERE d.opened_at >= ?1 AND d.opened_at < ?2",
    "SELECT d.product_id, p.sku, p.name, p.brand, d.reason_code, count(*)
     FROM dossiers d LEFT JOIN products p ON p.id = d.product_id
     WHERE d.opened_at >= ?1 AND d.opened_at < ?2 GROUP BY d.product_id, d.reason_code",
    "SELECT d.reason_code, json_extract(d.decision, '$.basis'), json_extract(d.decision, '$.decided_by'),
            json_extract(d.decision, '$.approved_by'), count(*), sum(gesture_cents > 0), sum(gesture_cents)
     FROM dossiers d WHERE d.opened_at >= ?1 AND d.opened_at < ?2 AND d.decision IS NOT NULL
     GROUP BY 1, 2, 3, 4",
    "SELECT d.customer_id, count(*) AS n FROM dossiers d
     WHERE d.opened_at >= ?1 AND d.opened_at < ?2 GROUP BY d.customer_id HAVING n >= 2",
    "SELECT json_group_array(json_array(d.opened_at, d.status, d.closed_at, d.promised_at,
       (SELECT min(e.at) FROM dossier_events e WHERE e.dossier_id = d.id AND e.kind NOT IN
         ('opened', 'note', 'assigned', 'approval', 'customer_message', 'follow_up_done', 'follow_up_call',
          'satisfaction', 'deadline_recomputed', 'resolution')),
       CASE WHEN EXISTS (SELECT 1 FROM dossier_events w WHERE w.dossier_id = d.id
                         AND w.status_after = 'waiting_customer')
       THEN (SELECT json_group_array(json_array(x.at, x.status_after)) FROM
             (SELECT at, status_after FROM dossier_events WHERE dossier_id = d.id
              AND status_after IS NOT NULL ORDER BY hlc, id) x) END))
     FROM dossiers d WHERE d.opened_at >= ?1 AND d.opened_at < ?2",
    "SELECT d.opened_at, d.promised_at FROM dossiers d
     WHERE d.status NOT IN ('handed_back', 'closed', 'cancelled') AND ?1 <= ?2",
];

/// Runs every statement of a set once.
async fn run_all(
    pool: &sqlx::SqlitePool,
    set: &[&str],
    start: chrono::DateTime<Utc>,
    end: chrono::DateTime<Utc>,
) {
    for sql in set {
        let rows = sqlx::query(sql)
            .bind(start)
            .bind(end)
            .fetch_all(pool)
            .await
            .unwrap();
        std::hint::black_box(rows.len());
    }
}

#[tokio::main]
async fn main() {
    let store = common::open_bench_store().await;
    let pool = store.pool().clone();
    let from = NaiveDate::from_ymd_opt(2026, 4, 15).unwrap();
    let to = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 16, 0, 0).unwrap();
    let mut chain = ReportQuery::new(from, to);
    chain.scope = Scope::Chain;
    let local = ReportQuery::new(from, to);
    let cal = comptoir_core::calendar::BusinessCalendar::default();
    let (start, end) = chain.instants(&cal);

    // The first report after opening reads every dossier's figures into
    // memory; the next ones only what was written since.
    let t = Instant::now();
    let first = store.dashboard(&chain, now).await.unwrap();
    println!(
        "first dashboard after opening (reads every figure): {} ms",
        ms(t.elapsed())
    );
    println!(
        "period {from} → {to}: {} dossiers (chain), backlog {} open; first response over {}, resolution over {}",
        first.period.opened, first.backlog.open, first.first_response.count, first.resolution.count
    );
    // `COMPTOIR_BENCH_PROFILE=dashboard` (or `drill`, `export`): that figure alone,
    // 50 times, for a profiler (`perf record`) to see nothing else.
    match std::env::var("COMPTOIR_BENCH_PROFILE").as_deref() {
        Ok("dashboard") => {
            let mut runs = Vec::new();
            for _ in 0..50 {
                let t = Instant::now();
                std::hint::black_box(store.dashboard(&chain, now).await.unwrap());
                runs.push(t.elapsed());
            }
            print("dashboard, ~100k dossiers (chain), profiled", runs);
            return;
        }
        Ok("drill") => {
            let mut runs = Vec::new();
            for _ in 0..100 {
                let t = Instant::now();
                let d = store
                    .drill_down(&chain, &Figure::Reason("defect.no_power".into()), 200, now)
                    .await
                    .unwrap();
                runs.push(t.elapsed());
                std::hint::black_box(d.total);
            }
            print("drill-down list (reason, first 200), profiled", runs);
            return;
        }
        Ok("export") => {
            let mut runs = Vec::new();
            for _ in 0..10 {
                let t = Instant::now();
                let d = store
                    .drill_down(&chain, &Figure::Opened, usize::MAX, now)
                    .await
                    .unwrap();
                let mut out = Vec::with_capacity(16 << 20);
                write_csv(&d.table(), &CsvOptions::default(), &mut out).unwrap();
                runs.push(t.elapsed());
            }
            print("CSV export of every dossier of the period, profiled", runs);
            return;
        }
        _ => {}
    }
    let mut ours = Vec::new();
    let mut raw = Vec::new();
    let mut ours_local = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        std::hint::black_box(store.dashboard(&chain, now).await.unwrap());
        ours.push(t.elapsed());
        let t = Instant::now();
        run_all(&pool, RAW, start, end).await;
        raw.push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(store.dashboard(&local, now).await.unwrap());
        ours_local.push(t.elapsed());
        eprintln!(
            "  run: dashboard {} ms, raw {} ms, local {} ms",
            ms(ours[ours.len() - 1]),
            ms(raw[raw.len() - 1]),
            ms(ours_local[ours_local.len() - 1])
        );
    }
    print("dashboard, ~100k dossiers (chain)", ours);
    print("raw SQL aggregates, same period (chain)", raw);
    print("dashboard, same period, local store", ours_local);
    let mut before = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        run_all(&pool, BEFORE, start, end).await;
        before.push(t.elapsed());
    }
    print("the statements before dossier_figures", before);

    let mut drill = Vec::new();
    for _ in 0..RUNS * 3 {
        let t = Instant::now();
        let d = store
            .drill_down(&chain, &Figure::Reason("defect.no_power".into()), 200, now)
            .await
            .unwrap();
        drill.push(t.elapsed());
        std::hint::black_box(d.total);
    }
    print("drill-down list (reason, first 200)", drill);

    let mut export = Vec::new();
    let mut read = Vec::new();
    let mut rows = 0;
    let mut bytes = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let d = store
            .drill_down(&chain, &Figure::Opened, usize::MAX, now)
            .await
            .unwrap();
        read.push(t.elapsed());
        let mut out = Vec::with_capacity(16 << 20);
        let opts = CsvOptions {
            delimiter: Delimiter::Semicolon,
            bom: true,
            ..CsvOptions::default()
        };
        write_csv(&d.table(), &opts, &mut out).unwrap();
        export.push(t.elapsed());
        rows = d.rows.len();
        bytes = out.len();
    }
    println!("export: {rows} rows, {} KiB of CSV", bytes >> 10);
    print("  of which reading the dossiers' rows", read);
    print("CSV export of every dossier of the period", export);

    let mut sales = chain.clone();
    sales.units_sold = true;
    let t = Instant::now();
    store.dashboard(&sales, now).await.unwrap();
    println!(
        "dashboard with units sold (one run): {} ms",
        ms(t.elapsed())
    );
    store.close().await;
}
