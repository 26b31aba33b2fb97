//! `GET /v1/bootstrap`: a newly enrolled counter receives the chain's
//! customers, orders and dossiers (its feed up to now) as one streamed,
//! gzip-compressed body of newline-delimited JSON: a header with the
//! total, every change in feed order, an end line with the cursor to
//! follow the feed from. The feed is read a page at a time while the body
//! is being sent (a bounded channel: a slow counter slows the reading, the
//! server's memory does not grow with the chain). Resumable: the counter
//! applies what it receives in batches, each stored with its cursor, and
//! after a cut link or a kill asks again after the last one it stored.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::Response;
use comptoir_sync::{BootstrapEnd, BootstrapHeader, BootstrapLine, FeedChange};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use crate::error::Result;
use crate::storage::{Cursor, FeedRow, Storage};

/// Feed rows read per page while streaming.
const PAGE: usize = 2_000;
/// Chunks (pages) buffered between the reader and the socket.
const BUFFERED_PAGES: usize = 4;

type Chunk = std::result::Result<Bytes, std::io::Error>;

/// The streamed answer for a device of `store_code` (the first line is
/// written before this returns, so a database that cannot count is a
/// JSON error, not a cut stream).
pub async fn stream(
    storage: Arc<dyn Storage>,
    store_code: String,
    after: Cursor,
) -> Result<Response> {
    let total = storage.feed_count(&store_code, after).await?;
    let (tx, rx) = mpsc::channel::<Chunk>(BUFFERED_PAGES);
    let header = BootstrapLine::Header(BootstrapHeader {
        total,
        after: after.to_string(),
    });
    tx.send(Ok(line(&header))).await.ok();
    tokio::spawn(async move {
        let outcome = feed_into(&*storage, &store_code, after, total, &tx).await;
        if let Err(e) = outcome {
            // The client sees a stream without its end line: it keeps what
            // it applied and asks again later.
            tracing::warn!(error = %e, store = %store_code, "bootstrap stream cut");
            tx.send(Err(std::io::Error::other(e.to_string())))
                .await
                .ok();
        }
    });
    Ok(Response::builder()
        .header(header::CONTENT_TYPE, "application/x-ndjson")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from_stream(ReceiverStream::new(rx)))
        .unwrap_or_default())
}

/// Reads the feed page by page into the channel until what was visible at
/// the start has been sent; the counter follows the rest with `pull`.
async fn feed_into(
    storage: &dyn Storage,
    store_code: &str,
    after: Cursor,
    total: u64,
    tx: &mpsc::Sender<Chunk>,
) -> Result<()> {
    let mut cursor = after;
    let mut sent = 0u64;
    loop {
        let rows = storage.feed(store_code, cursor, PAGE).await?;
        let n = rows.len();
        if let Some(last) = rows.last() {
            cursor = last.cursor;
        }
        sent += n as u64;
        if n > 0 && tx.send(Ok(page(rows))).await.is_err() {
            return Ok(()); // the counter went away: nothing to finish
        }
        if n < PAGE || sent >= total {
            break;
        }
    }
    let end = BootstrapLine::End(BootstrapEnd {
        sent,
        cursor: cursor.to_string(),
    });
    tx.send(Ok(line(&end))).await.ok();
    Ok(())
}

fn page(rows: Vec<FeedRow>) -> Bytes {
    let mut out = Vec::with_capacity(rows.len() * 512);
    for r in rows {
        let l = BootstrapLine::Change(FeedChange {
            cursor: r.cursor.to_string(),
            scope: r.scope.code().to_owned(),
            change: r.envelope,
        });
        push_line(&mut out, &l);
    }
    out.into()
}

fn line(l: &BootstrapLine) -> Bytes {
    let mut out = Vec::with_capacity(128);
    push_line(&mut out, l);
    out.into()
}

fn push_line(out: &mut Vec<u8>, l: &BootstrapLine) {
    // Our own types: serialising them to a Vec cannot fail.
    if serde_json::to_writer(&mut *out, l).is_ok() {
        out.push(b'\n');
    }
}
