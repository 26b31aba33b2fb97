//! Rendering time per ticket, release build:
//!
//!   cargo bench -p comptoir-print --bench tickets
//!
//! 500 intake tickets per format, p50 / p95 in ms, next to two baselines
//! measured in the same run: the Code 128 + QR matrices alone, and a page
//! with one line of text (PDF + embedded font subset, no layout).
#![allow(clippy::unwrap_used)] // tests and benches: a failed unwrap is a failed run

use std::hint::black_box;
use std::time::Instant;

use comptoir_print::{render, Format, Ticket};

const N: usize = 500;

fn percentiles(mut ms: Vec<f64>) -> (f64, f64, f64) {
    ms.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| ms[((ms.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.95), ms[ms.len() - 1])
}

fn measure(name: &str, mut f: impl FnMut(usize) -> usize) {
    // Warm-up (font parsing happens once per process).
    black_box(f(0));
    let mut ms = Vec::with_capacity(N);
    let mut bytes = 0;
    for i in 0..N {
        let t = Instant::now();
        bytes = black_box(f(i));
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (p50, p95, max) = percentiles(ms);
    println!(
        "{name:<44} p50 {p50:>7.2} ms   p95 {p95:>7.2} ms   max {max:>7.2} ms   {bytes:>7} bytes"
    );
}

fn ticket(i: usize) -> Ticket {
    let mut t = Ticket::example_intake();
    t.dossier_number = format!("SAV-LYO1-2026-{:06}", i + 1);
    t.tracking_url = Some(format!(
        "https://suivi.comptoir.example/d/{}",
        t.dossier_number
    ));
    t
}

fn main() {
    println!("{N} tickets per case");
    measure("baseline: barcode + QR only (no PDF)", |i| {
        let t = ticket(i);
        comptoir_print::bench_support::codes_only(&t).unwrap_or(0)
    });
    measure("baseline: one line of text, A4 PDF", |i| {
        comptoir_print::bench_support::one_line_pdf(&ticket(i).dossier_number)
            .map_or(0, |b| b.len())
    });
    for (format, name) in [
        (Format::A4, "intake ticket, A4"),
        (Format::Receipt80mm, "intake ticket, 80 mm receipt"),
    ] {
        measure(name, |i| render(&ticket(i), format).map_or(0, |b| b.len()));
    }
    let mut long = ticket(0);
    long.customer_words = Some("Le voyant clignote en orange après la mise à jour. ".repeat(100));
    measure("intake ticket, A4, 5,000-char note", |_| {
        render(&long, Format::A4).map_or(0, |b| b.len())
    });
}
