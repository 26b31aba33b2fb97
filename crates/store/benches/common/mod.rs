//! Shared by the benchmarks: the large demo database, generated once.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use comptoir_demo::DemoConfig;
use comptoir_store::{OpenMode, Store};

#[path = "../../tests/support/raw.rs"]
mod raw;
pub use raw::RawPool;

/// The benchmark database (`COMPTOIR_BENCH_DB`, default
/// `target/bench/comptoir-<N>.sqlite` with N = `COMPTOIR_BENCH_CUSTOMERS`,
/// 1,000,000 by default), generated on first use with a fixed seed.
pub async fn bench_db() -> PathBuf {
    let customers: u64 = std::env::var("COMPTOIR_BENCH_CUSTOMERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let path = std::env::var_os("COMPTOIR_BENCH_DB")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
            target
                .join("bench")
                .join(format!("comptoir-{customers}.sqlite"))
        });
    if !path.exists() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let store = Store::open(&path, OpenMode::CreateIfMissing).await.unwrap();
        let cfg = DemoConfig {
            customers,
            seed: 2026,
            as_of: Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap(),
            local_store: "LYO1".into(),
        };
        let t = Instant::now();
        let summary = comptoir_demo::generate(&store, &cfg, |done, total| {
            if done % 100_000 < 2_000 {
                eprintln!("  generating {done}/{total}");
            }
        })
        .await
        .unwrap();
        println!(
            "generated {summary:?} in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        store.close().await;
    }
    path
}

/// Reads the whole file once, so the timed runs see the page cache of a
/// counter that has been running all day, whatever ran before (the search
/// bench drops the cache for its cold start). Cold figures are measured
/// there, on purpose.
pub fn warm_page_cache(path: &std::path::Path) {
    use std::io::Read;
    let t = Instant::now();
    let mut f = std::fs::File::open(path).unwrap();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    while let Ok(n) = f.read(&mut buf) {
        if n == 0 {
            break;
        }
        total += n as u64;
    }
    println!(
        "page cache warmed: {} MiB read in {:.1} s",
        total >> 20,
        t.elapsed().as_secs_f64()
    );
}

/// Opens the benchmark database (migrating it if needed) and says how long
/// that took.
pub async fn open_bench_store() -> Store {
    let path = bench_db().await;
    warm_page_cache(&path);
    let t = Instant::now();
    let store = Store::open(&path, OpenMode::MustExist).await.unwrap();
    println!(
        "database {} opened (and migrated if needed) in {} ms",
        path.display(),
        ms(t.elapsed())
    );
    store
}

pub struct Stats {
    pub p50: Duration,
    pub p95: Duration,
    pub p99: Duration,
    pub max: Duration,
    pub n: usize,
}

pub fn stats(mut d: Vec<Duration>) -> Stats {
    d.sort();
    let at = |q: f64| {
        d[((d.len() as f64 * q).ceil() as usize)
            .saturating_sub(1)
            .min(d.len() - 1)]
    };
    Stats {
        p50: at(0.50),
        p95: at(0.95),
        p99: at(0.99),
        max: *d.last().unwrap(),
        n: d.len(),
    }
}

pub fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}
