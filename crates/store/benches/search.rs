//! Search and customer-card latency on a large demo database, next to the
//! raw SQL baseline measured in the same run on the same file.
//!
//! ```text
//! cargo bench -p comptoir-store --bench search                # 1,000,000 customers
//! COMPTOIR_BENCH_CUSTOMERS=100000 cargo bench -p comptoir-store --bench search
//! ```
//! The database is generated once (deterministic seed) and kept at
//! `COMPTOIR_BENCH_DB` (default `target/bench/comptoir-<N>.sqlite`).
//!
//! Besides the warm latencies it measures the forgiving search (names with
//! one typo, names spelt another way that sounds the same), the in-memory
//! word automaton (words, bytes, build time) and a cold start: the store is
//! closed, the page cache dropped (`/proc/sys/vm/drop_caches`, as root;
//! the run says when it could not), the file reopened and one search timed.
#![allow(clippy::unwrap_used)] // tests and benches: a failed unwrap is a failed run

mod common;

use common::RawPool;

use common::{ms, stats, Stats};

use std::time::Instant;

use comptoir_core::ids::CustomerId;
use comptoir_core::normalize::{display_phone, fold_text, normalize_code};
use comptoir_core::phonetic::sound_key;
use comptoir_core::typo::allowed_typos;
use comptoir_store::{OpenMode, Store};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const QUERIES_PER_KIND: usize = 400;
const CARDS: usize = 1_000;

fn row(label: &str, ours: &Stats, base: &Stats) {
    println!(
        "{label:<28} {:>6} {:>9} {:>9} {:>9} | {:>9} {:>9} {:>9}",
        ours.n,
        ms(ours.p50),
        ms(ours.p99),
        ms(ours.max),
        ms(base.p50),
        ms(base.p99),
        ms(base.max)
    );
}

/// Misspelt or sound-alike query → the word it stands for.
static TRUTH: std::sync::OnceLock<std::collections::HashMap<String, String>> =
    std::sync::OnceLock::new();

/// One typo (insertion, deletion, substitution or swap) away from the
/// folded `word`, never on its first letter; `None` for words too short to
/// be forgiven one.
fn misspell(word: &str, rng: &mut ChaCha8Rng) -> Option<String> {
    let mut c: Vec<char> = word.chars().collect();
    if allowed_typos(word) == 0 || c.len() < 3 {
        return None;
    }
    let i = rng.random_range(1..c.len() - 1);
    match rng.random_range(0..4) {
        0 => c.insert(i, 'e'),
        1 => {
            c.remove(i);
        }
        2 => c[i] = if c[i] == 'a' { 'o' } else { 'a' },
        _ => c.swap(i, i + 1),
    }
    let out: String = c.into_iter().collect();
    // The typed word's length decides what is forgiven (a 5-letter name
    // with a letter dropped is 4 letters: no typo allowed).
    (out != word && allowed_typos(&out) > 0).then_some(out)
}

/// Another spelling of the folded `word` that sounds the same (same sound
/// key), if one of the usual French rewritings applies.
fn sound_alike(word: &str) -> Option<String> {
    let rewrites: [(&str, &str); 14] = [
        ("eau", "o"),
        ("au", "o"),
        ("ph", "f"),
        ("qu", "k"),
        ("ll", "l"),
        ("rr", "r"),
        ("tt", "t"),
        ("nn", "n"),
        ("ss", "s"),
        ("ez", "et"),
        ("y", "i"),
        ("ai", "e"),
        ("th", "t"),
        ("ch", "sch"),
    ];
    let key = sound_key(word);
    for (from, to) in rewrites {
        if let Some(pos) = word.find(from) {
            let mut w = word.to_owned();
            w.replace_range(pos..pos + from.len(), to);
            if w != word && sound_key(&w) == key {
                return Some(w);
            }
        }
    }
    for end in ["t", "d", "s"] {
        let w = format!("{word}{end}");
        if sound_key(&w) == key {
            return Some(w);
        }
    }
    None
}

#[tokio::main]
async fn main() {
    let path = common::bench_db().await;
    common::warm_page_cache(&path);
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let t = Instant::now();
    let store = Store::open(&path, OpenMode::MustExist).await.unwrap();
    println!(
        "database {} ({:.0} MiB), opened and checked in {} ms",
        path.display(),
        size as f64 / 1_048_576.0,
        ms(t.elapsed())
    );
    let pool = store.pool().clone();
    let counts: (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM orders),
                (SELECT count(*) FROM order_lines), (SELECT count(*) FROM dossiers)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    println!(
        "customers {} · orders {} · order lines {} · dossiers {}",
        counts.0, counts.1, counts.2, counts.3
    );

    // A query mix drawn from the data itself (deterministic).
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let max_seq = counts.0;
    let mut names = Vec::new();
    let mut folded = Vec::new();
    let mut misspelt = Vec::new();
    let mut misspelt_truth = Vec::new();
    let mut sounding = Vec::new();
    let mut sounding_truth = Vec::new();
    let mut phones = Vec::new();
    let mut emails = Vec::new();
    let mut orders = Vec::new();
    let mut dossiers = Vec::new();
    let mut ids = Vec::new();
    while names.len() < QUERIES_PER_KIND {
        let seq = rng.random_range(1..=max_seq);
        let (id, first, last): (CustomerId, String, String) =
            sqlx::query_as("SELECT id, first_name, last_name FROM customers WHERE seq = ?")
                .bind(seq)
                .fetch_one(&pool)
                .await
                .unwrap();
        ids.push(id);
        let last_chars: String = last.chars().take(rng.random_range(3..=5)).collect();
        let first_chars: String = first.chars().take(rng.random_range(2..=4)).collect();
        names.push(match rng.random_range(0..3) {
            0 => last_chars.clone(),
            1 => format!("{first_chars} {last_chars}"),
            _ => format!("{last} {first_chars}"),
        });
        folded.push(fold_text(&format!("{first} {last}")));
        let last_folded = fold_text(&last);
        let first_folded = fold_text(&first);
        if let Some(word) = last_folded.split(' ').next() {
            if let Some(typo) = misspell(word, &mut rng) {
                misspelt.push(if rng.random_range(0..2) == 0 {
                    typo
                } else {
                    format!("{first_folded} {typo}")
                });
                misspelt_truth.push(word.to_owned());
            }
            if let Some(alike) = sound_alike(word) {
                sounding.push(alike);
                sounding_truth.push(word.to_owned());
            }
        }
        let phone: Option<String> = sqlx::query_scalar(
            "SELECT value_norm FROM customer_contacts WHERE customer_id = ? AND kind = 'phone' LIMIT 1",
        )
        .bind(id)
        .fetch_optional(&pool)
        .await
        .unwrap();
        if let Some(p) = phone {
            let national = display_phone(&p);
            phones.push(match rng.random_range(0..3) {
                0 => national,
                1 => national.replace(' ', ""),
                _ => format!("+33 {}", &national[1..]),
            });
        }
        let email: Option<String> = sqlx::query_scalar(
            "SELECT value FROM customer_contacts WHERE customer_id = ? AND kind = 'email' LIMIT 1",
        )
        .bind(id)
        .fetch_optional(&pool)
        .await
        .unwrap();
        emails.extend(email);
        let order: Option<String> =
            sqlx::query_scalar("SELECT number FROM orders WHERE customer_id = ? LIMIT 1")
                .bind(id)
                .fetch_optional(&pool)
                .await
                .unwrap();
        orders.extend(order);
        let dossier: Option<String> =
            sqlx::query_scalar("SELECT number FROM dossiers WHERE customer_id = ? LIMIT 1")
                .bind(id)
                .fetch_optional(&pool)
                .await
                .unwrap();
        dossiers.extend(dossier);
    }

    // Warm the page cache the way a counter that has been open a while is.
    for q in names.iter().take(50) {
        let _ = store.search(q).await;
    }

    println!();
    println!(
        "{:<28} {:>6} {:>9} {:>9} {:>9} | {:>9} {:>9} {:>9}",
        "latency (ms)", "n", "ours p50", "p99", "max", "raw p50", "p99", "max"
    );
    let mut all_ours = Vec::new();
    let mut all_base = Vec::new();

    type Baseline = &'static str;
    // The raw baseline of a corrected query: the exact FTS lookup of the
    // word it stands for (what a clerk who spelt it right would cost).
    let _ = TRUTH.set(
        misspelt
            .iter()
            .zip(&misspelt_truth)
            .chain(sounding.iter().zip(&sounding_truth))
            .map(|(q, t)| (q.clone(), t.clone()))
            .collect(),
    );
    let kinds: Vec<(&str, &Vec<String>, Baseline, fn(&str) -> String)> = vec![
        (
            "name prefixes",
            &names,
            "SELECT rowid FROM customer_fts WHERE customer_fts MATCH ? LIMIT 20",
            |q| comptoir_core::search::fts_match_expression(&comptoir_core::normalize::tokens(q)),
        ),
        (
            "names without accents",
            &folded,
            "SELECT rowid FROM customer_fts WHERE customer_fts MATCH ? LIMIT 20",
            |q| comptoir_core::search::fts_match_expression(&comptoir_core::normalize::tokens(q)),
        ),
        (
            "names with one typo",
            &misspelt,
            "SELECT rowid FROM customer_fts WHERE customer_fts MATCH ? LIMIT 20",
            |q| {
                format!(
                    "\"{}\"",
                    TRUTH
                        .get()
                        .and_then(|t| t.get(q))
                        .cloned()
                        .unwrap_or_default()
                )
            },
        ),
        (
            "names that sound alike",
            &sounding,
            "SELECT rowid FROM customer_fts WHERE customer_fts MATCH ? LIMIT 20",
            |q| {
                format!(
                    "\"{}\"",
                    TRUTH
                        .get()
                        .and_then(|t| t.get(q))
                        .cloned()
                        .unwrap_or_default()
                )
            },
        ),
        (
            "phones (3 writings)",
            &phones,
            "SELECT customer_id FROM customer_contacts WHERE value_norm = ? LIMIT 20",
            |q| comptoir_core::normalize::phone_prefix(q).unwrap_or_default(),
        ),
        (
            "e-mails",
            &emails,
            "SELECT customer_id FROM customer_contacts WHERE value_norm = ? LIMIT 20",
            |q| q.to_lowercase(),
        ),
        (
            "order numbers",
            &orders,
            "SELECT customer_id FROM orders WHERE number_norm = ? LIMIT 20",
            normalize_code,
        ),
        (
            "dossier numbers",
            &dossiers,
            "SELECT customer_id FROM dossiers WHERE number_norm = ? LIMIT 20",
            normalize_code,
        ),
    ];
    // Steady state: every query (ours and the baseline's) is run once,
    // untimed, before the timed runs, so both are measured on a warm page
    // cache whatever ran before (the cold start is measured at the end).
    for (_, queries, baseline_sql, baseline_key) in &kinds {
        for q in queries.iter() {
            std::hint::black_box(store.search(q).await.unwrap());
            let rows: Vec<sqlx::sqlite::SqliteRow> = sqlx::query(baseline_sql)
                .bind(baseline_key(q))
                .fetch_all(&pool)
                .await
                .unwrap();
            std::hint::black_box(rows);
        }
    }
    println!("(each query run once untimed first: warm page cache; the cold start is below)");
    for (label, queries, baseline_sql, baseline_key) in kinds {
        let mut ours = Vec::new();
        let mut base = Vec::new();
        let mut empty = 0;
        for q in queries.iter() {
            let t = Instant::now();
            let r = store.search(q).await.unwrap();
            ours.push(t.elapsed());
            if r.hits.is_empty() {
                empty += 1;
            }
            let key = baseline_key(q);
            let t = Instant::now();
            let rows: Vec<sqlx::sqlite::SqliteRow> = sqlx::query(baseline_sql)
                .bind(key)
                .fetch_all(&pool)
                .await
                .unwrap();
            base.push(t.elapsed());
            std::hint::black_box(rows);
        }
        if label.starts_with("names with") || label.starts_with("names that") {
            // A rewritten word may stand for nothing the index can correct
            // to (e.g. a sound-alike of a 2-letter word): counted, shown.
            println!("  ({label}: {empty} of {} found nothing)", queries.len());
        } else {
            assert_eq!(
                empty, 0,
                "{label}: every query comes from the data and must find something"
            );
        }
        all_ours.extend(ours.iter().copied());
        all_base.extend(base.iter().copied());
        row(label, &stats(ours), &stats(base));
    }
    row("ALL SEARCHES", &stats(all_ours), &stats(all_base));
    let idx = store.search_index_stats().await.unwrap();
    println!(
        "in-memory word automaton: {} words, {:.1} KiB, built in {} ms (read + build)",
        idx.terms,
        idx.memory_bytes as f64 / 1024.0,
        ms(idx.build_time)
    );
    let words: i64 = sqlx::query_scalar("SELECT count(*) FROM search_terms")
        .fetch_one(&pool)
        .await
        .unwrap();
    println!("search_terms rows (on disk): {words}");

    // The naive way, for perspective: a LIKE scan over every customer.
    let mut naive = Vec::new();
    for q in folded.iter().take(5) {
        let last = q.split(' ').next_back().unwrap_or_default();
        let t = Instant::now();
        let rows: Vec<sqlx::sqlite::SqliteRow> = sqlx::query(
            "SELECT id FROM customers WHERE lower(last_name) LIKE ? LIMIT 20 OFFSET 100000",
        )
        .bind(format!("%{last}%"))
        .fetch_all(&pool)
        .await
        .unwrap();
        naive.push(t.elapsed());
        std::hint::black_box(rows);
    }
    println!(
        "(naive full-scan LIKE over customers, 5 queries: p50 {} ms)",
        ms(stats(naive).p50)
    );

    // Customer cards.
    let mut ours = Vec::new();
    let mut base = Vec::new();
    let mut sizes = 0usize;
    for _ in 0..CARDS {
        let id = *ids.choose(&mut rng).unwrap();
        let t = Instant::now();
        let card = store.customer_card(id).await.unwrap();
        ours.push(t.elapsed());
        sizes += card.orders.len();
        let t = Instant::now();
        let rows: Vec<sqlx::sqlite::SqliteRow> = sqlx::query(
            "SELECT o.*, l.*, p.name FROM orders o JOIN order_lines l ON l.order_id = o.id
             JOIN products p ON p.id = l.product_id WHERE o.customer_id = ?",
        )
        .bind(id)
        .fetch_all(&pool)
        .await
        .unwrap();
        base.push(t.elapsed());
        std::hint::black_box(rows);
    }
    println!();
    println!(
        "customer card (avg {:.1} orders); raw = one join of orders, lines, products",
        sizes as f64 / CARDS as f64
    );
    row("customer card", &stats(ours), &stats(base));

    // Cold start: closed, page cache dropped, reopened, first searches;
    // three times: without warming, with the app's warm-up started at open
    // (the search typed at once, while it runs), and once it is done.
    store.close().await;
    let first_q = misspelt
        .first()
        .cloned()
        .unwrap_or_else(|| "lefebre".to_owned());
    let second_q = sounding.first().cloned().unwrap_or_default();
    let mut store = None;
    for warm in [Warm::No, Warm::Started, Warm::Done] {
        let dropped = std::fs::write("/proc/sys/vm/drop_caches", "3").is_ok();
        println!();
        if dropped {
            println!(
                "cold start (page cache dropped: echo 3 > /proc/sys/vm/drop_caches), {}",
                warm.label()
            );
        } else {
            println!(
                "cold start: COULD NOT drop the page cache (not root?); figures are warm-cache"
            );
        }
        let t = Instant::now();
        let opened_store = Store::open(&path, OpenMode::MustExist).await.unwrap();
        let opened = t.elapsed();
        let warming = match warm {
            Warm::No => None,
            Warm::Started => {
                let s = opened_store.clone();
                Some(tokio::spawn(async move { s.warm_search().await.unwrap() }))
            }
            Warm::Done => {
                let took = opened_store.warm_search().await.unwrap();
                println!("warm-up done in {} ms", ms(took));
                None
            }
        };
        let t = Instant::now();
        let r = opened_store.search(&first_q).await.unwrap();
        let first_search = t.elapsed();
        let t = Instant::now();
        let r2 = opened_store.search(&second_q).await;
        let second = t.elapsed();
        println!(
            "open {} ms · first search {:?} (misspelt) {} ms, {} hits · next (sound-alike) {} ms, {} hits",
            ms(opened),
            first_q,
            ms(first_search),
            r.hits.len(),
            ms(second),
            r2.map(|r| r.hits.len()).unwrap_or(0)
        );
        if let Some(w) = warming {
            println!(
                "warm-up (started at open) done in {} ms",
                ms(w.await.unwrap())
            );
        }
        if warm == Warm::Done {
            store = Some(opened_store);
        } else {
            opened_store.close().await;
        }
    }
    let store = store.unwrap();
    let idx = store.search_index_stats().await.unwrap();
    println!(
        "automaton built after the cache drop in {} ms ({} words)",
        ms(idx.build_time),
        idx.terms
    );
    store.close().await;
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Warm {
    No,
    Started,
    Done,
}

impl Warm {
    fn label(self) -> &'static str {
        match self {
            Warm::No => "no warm-up",
            Warm::Started => "warm-up started at open, search typed at once",
            Warm::Done => "search after the warm-up",
        }
    }
}
