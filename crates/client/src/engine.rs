//! One sync: push the outbox to the end, then pull the feed to the end.
//! Every step is safe to cut anywhere: an outbox row leaves only once the
//! server has acknowledged it (a change pushed twice is a `duplicate`
//! there), and a pulled page is applied in the same transaction as the
//! cursor that follows it (a page applied twice changes nothing here).

use std::time::Instant;

use chrono::Utc;
use comptoir_store::{PushAck, Store};
use comptoir_sync::{AuditOutcome, PushOutcome};
use serde::Serialize;

use crate::api::ServerApi;
use crate::{credential, ClientError, Result};
use comptoir_sync::BootstrapLine;

/// Outbox rows sent per push (halved while the server says it is too many).
const PUSH_BATCH: u32 = 200;
/// Audit entries sent per request (halved while the server says too many).
const AUDIT_BATCH: u32 = 200;
/// Changes asked per pull (the server may serve fewer).
const PULL_LIMIT: usize = 1_000;

/// Where a sync stands, for a progress bar or a terminal.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncProgress {
    /// Local changes acknowledged by the server so far in this sync.
    pub pushed: usize,
    /// Changes received in this sync so far.
    pub received: usize,
    /// Changes received since the counter was enrolled (bootstrap included).
    pub received_total: u64,
    /// Whether the server has more to send right now.
    pub more: bool,
    /// Received changes per second in this sync.
    pub rate_per_s: f64,
    /// While the first load (bootstrap) is being received: how many
    /// changes its stream holds, and how many of them are applied.
    pub bootstrap: Option<BootstrapProgress>,
}

/// A bootstrap under way, for a progress bar with the time left.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BootstrapProgress {
    /// Changes this stream holds (the server's count when it started;
    /// after a resumption, what was left).
    pub total: u64,
    /// Of them, applied here so far.
    pub done: u64,
    /// At the rate so far, seconds until the end.
    pub seconds_left: Option<f64>,
}

/// What one sync did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncReport {
    pub pushed: usize,
    /// Pushed changes the server had already (sent twice after a cut link).
    pub duplicates: usize,
    /// Pushed changes the server refused (kept, see the status).
    pub rejected: usize,
    pub received: usize,
    /// Received changes that were new here.
    pub applied: usize,
    /// Received changes that could not be applied here (kept, see the status).
    pub not_applicable: usize,
    pub cursor: String,
    pub outbox_left: u64,
    /// Audit entries head office stored in this sync.
    pub audit_sent: usize,
    /// Audit entries it had already (sent again after a lost answer).
    pub audit_duplicates: usize,
    /// The code of the audit entry head office refused, if it refused one
    /// (the log waits at that entry; see `Store::audit_push_state`).
    pub audit_refused: Option<String>,
}

/// Enrols this counter with the server at `server_url` with a one-time
/// code: keeps the token in its file, the link in the database.
pub async fn enrol(
    store: &Store,
    server_url: &str,
    code: &str,
    device_name: &str,
) -> Result<comptoir_store::SyncLink> {
    // This counter must belong to a store before it can be enrolled for one.
    store
        .local_store()
        .await?
        .ok_or(comptoir_store::StoreError::NoLocalStore)?;
    let api = ServerApi::new(server_url, None)?;
    let r = api.enrol(code, device_name).await?;
    store
        .save_sync_link(api.base(), r.device_id, &r.store_code, Utc::now())
        .await?;
    credential::save(store.path(), &r.token)?;
    tracing::info!(server = api.base(), device = %r.device_id, store = %r.store_code, "counter enrolled");
    store.sync_link().await?.ok_or(ClientError::NotEnrolled)
}

/// One sync, recorded in the status (success, or the error's code and
/// message). `progress` is called after every page.
pub async fn sync_once(
    store: &Store,
    progress: &mut (dyn FnMut(&SyncProgress) + Send),
) -> Result<SyncReport> {
    let outcome = run(store, progress).await;
    let failure = outcome.as_ref().err().map(|e| (e.code(), e.message_fr()));
    if let Some((code, _)) = &failure {
        tracing::warn!(code, error = %outcome.as_ref().err().map(ToString::to_string).unwrap_or_default(), "sync failed");
    }
    // Not enrolled: nothing to record the attempt in.
    if !matches!(outcome, Err(ClientError::NotEnrolled)) {
        store
            .record_sync_attempt(Utc::now(), failure.as_ref().map(|(c, m)| (*c, m.as_str())))
            .await?;
    }
    outcome
}

async fn run(
    store: &Store,
    progress: &mut (dyn FnMut(&SyncProgress) + Send),
) -> Result<SyncReport> {
    let link = store.sync_link().await?.ok_or(ClientError::NotEnrolled)?;
    let token = credential::load(store.path())?;
    let api = ServerApi::new(&link.server_url, Some(token))?;
    let mut report = SyncReport::default();
    let mut state = SyncProgress::default();
    push(store, &api, &mut report, &mut state, progress).await?;
    push_audit(store, &api, &link.store_code, &mut report).await?;
    let mut cursor = link.cursor;
    if !link.bootstrapped {
        bootstrap(store, &api, &cursor, &mut report, &mut state, progress).await?;
        cursor = store
            .sync_link()
            .await?
            .ok_or(ClientError::NotEnrolled)?
            .cursor;
    }
    pull(store, &api, cursor, &mut report, &mut state, progress).await?;
    report.outbox_left = store.outbox_len().await?;
    Ok(report)
}

async fn push(
    store: &Store,
    api: &ServerApi,
    report: &mut SyncReport,
    state: &mut SyncProgress,
    progress: &mut (dyn FnMut(&SyncProgress) + Send),
) -> Result<()> {
    let mut batch = PUSH_BATCH;
    loop {
        let out = store.outbox(batch).await?;
        if out.is_empty() {
            return Ok(());
        }
        let answer = match api.push(&out).await {
            Err(ClientError::Server { code, .. }) if code == "batch_too_large" && batch > 1 => {
                batch /= 2;
                continue;
            }
            r => r?,
        };
        let sent: std::collections::HashSet<_> = out.iter().map(|c| c.id).collect();
        let mut acks = Vec::with_capacity(answer.results.len());
        for r in answer.results {
            if !sent.contains(&r.id) {
                return Err(ClientError::Protocol(format!(
                    "result for a change not pushed: {}",
                    r.id
                )));
            }
            acks.push(match r.outcome {
                PushOutcome::Applied => {
                    report.pushed += 1;
                    PushAck::Acknowledged(r.id)
                }
                PushOutcome::Duplicate => {
                    report.duplicates += 1;
                    PushAck::Acknowledged(r.id)
                }
                PushOutcome::Rejected => {
                    report.rejected += 1;
                    PushAck::Rejected {
                        id: r.id,
                        code: r.code.unwrap_or_else(|| "rejected".to_owned()),
                        reason: r
                            .reason
                            .unwrap_or_else(|| "Refusé par le serveur central.".to_owned()),
                    }
                }
            });
        }
        if acks.is_empty() {
            return Err(ClientError::Protocol("push answered no result".to_owned()));
        }
        store.acknowledge_pushed(&acks, Utc::now()).await?;
        state.pushed += acks.len();
        progress(state);
        if out.len() < batch as usize {
            return Ok(());
        }
    }
}

/// Sends the audit log to head office from the last entry it acknowledged,
/// in number order. The cursor moves over the unbroken run of entries the
/// server stored or already had, in the transaction that takes its answer
/// (`acknowledge_audit`): a lost answer only makes the entries go again,
/// answered `duplicate`. A refusal (an entry head office cannot chain, a
/// server without the endpoint) is kept in the link with its reason and
/// does not stop the sync: the changes and the feed go on, the log waits
/// at that entry. Being offline fails the sync as any request does.
async fn push_audit(
    store: &Store,
    api: &ServerApi,
    store_code: &str,
    report: &mut SyncReport,
) -> Result<()> {
    let mut batch = AUDIT_BATCH;
    loop {
        let Some((from, entries)) = store.audit_outgoing(batch).await? else {
            return Ok(());
        };
        if entries.is_empty() {
            return Ok(());
        }
        let answer = match api.push_audit(store_code, &entries).await {
            Ok(a) => a,
            Err(ClientError::Server { code, .. }) if code == "batch_too_large" && batch > 1 => {
                batch /= 2;
                continue;
            }
            Err(ClientError::Server { code, message, .. }) => {
                tracing::warn!(code = %code, "audit log refused by the server");
                store
                    .acknowledge_audit(from, from, Some((&code, &message)))
                    .await?;
                report.audit_refused = Some(code);
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        if answer.results.len() != entries.len() {
            return Err(ClientError::Protocol(format!(
                "audit: {} results for {} entries",
                answer.results.len(),
                entries.len()
            )));
        }
        let mut to = from;
        let mut refused = None;
        for (entry, r) in entries.iter().zip(&answer.results) {
            if r.seq != entry.seq {
                return Err(ClientError::Protocol(format!(
                    "audit: result for entry {} where {} was sent",
                    r.seq, entry.seq
                )));
            }
            match r.outcome {
                AuditOutcome::Stored => report.audit_sent += 1,
                AuditOutcome::Duplicate => report.audit_duplicates += 1,
                AuditOutcome::Rejected => {
                    refused = Some((
                        r.code.clone().unwrap_or_else(|| "rejected".to_owned()),
                        r.reason
                            .clone()
                            .unwrap_or_else(|| "Refusé par le serveur central.".to_owned()),
                    ));
                    break;
                }
            }
            to = entry.seq;
        }
        let taken = store
            .acknowledge_audit(
                from,
                to,
                refused.as_ref().map(|(c, r)| (c.as_str(), r.as_str())),
            )
            .await?;
        if let Some((code, _)) = refused {
            tracing::warn!(code = %code, seq = to + 1, "audit entry refused by the server");
            report.audit_refused = Some(code);
            return Ok(());
        }
        // Not taken: another sync of this counter answered first; read again.
        if taken && entries.len() < batch as usize {
            return Ok(());
        }
    }
}

/// How many changes a bootstrap applies per transaction. Each batch is
/// stored with its cursor (a kill loses at most the batch under way), and
/// each commit writes again every index page its batch touched: for the
/// indexes of random keys (contacts by value, orders by number and by
/// date, dossiers by opening) that is nearly the whole index once it is
/// larger than a batch, so batches of a fixed size would write a total
/// that grows with the square of the chain. The batch therefore grows with
/// what the counter has received: 10,000 changes, then an eighth of
/// what it holds, up to 50,000 (a batch and the next one read
/// meanwhile stay within a few hundred megabytes). A kill loses at most an
/// eighth of what was received. `COMPTOIR_BOOTSTRAP_BATCH` fixes the size
/// instead (for measurements).
#[derive(Debug, Clone, Copy)]
struct BatchSize {
    fixed: Option<usize>,
}

impl BatchSize {
    const FIRST: usize = 10_000;
    const MAX: usize = 50_000;

    fn from_env() -> BatchSize {
        BatchSize {
            fixed: std::env::var("COMPTOIR_BOOTSTRAP_BATCH")
                .ok()
                .and_then(|v| v.parse().ok())
                .filter(|n| *n > 0),
        }
    }

    /// The size of the next batch, once the counter has received
    /// `received` changes.
    fn after(self, received: usize) -> usize {
        self.fixed
            .unwrap_or_else(|| (received / 8).clamp(Self::FIRST, Self::MAX))
    }
}

/// Lines of a bootstrap stream read into one batch: its changes and the
/// cursor after the last, and how the stream ended if it did (its end
/// line, or why not) — `None` while the batch was cut because it was full.
struct ReadBatch {
    changes: Vec<comptoir_sync::ChangeEnvelope>,
    cursor: Option<String>,
    end: Option<Result<comptoir_sync::BootstrapEnd>>,
}

async fn read_batch(stream: &mut crate::api::BootstrapStream, per_batch: usize) -> ReadBatch {
    let mut read = ReadBatch {
        changes: Vec::with_capacity(per_batch),
        cursor: None,
        end: None,
    };
    while read.changes.len() < per_batch {
        read.end = Some(match stream.next_line().await {
            Ok(Some(BootstrapLine::Change(f))) => {
                read.changes.push(f.change);
                read.cursor = Some(f.cursor);
                continue;
            }
            Ok(Some(BootstrapLine::End(e))) => Ok(e),
            Ok(Some(BootstrapLine::Header(_))) => Err(ClientError::Protocol(
                "bootstrap: a second header".to_owned(),
            )),
            Ok(None) => Err(ClientError::Offline(
                "bootstrap stream cut before its end".to_owned(),
            )),
            Err(e) => Err(e),
        });
        break;
    }
    read
}

/// The first load: the server's stream after `from`, applied in batches
/// through the same path as a pulled page (each with its cursor, in one
/// transaction). The next batch is read and decoded from the stream while
/// the one before is written. A stream cut before its end line keeps
/// every batch applied (what was received is applied first); the next
/// sync asks again after the last one.
async fn bootstrap(
    store: &Store,
    api: &ServerApi,
    from: &str,
    report: &mut SyncReport,
    state: &mut SyncProgress,
    progress: &mut (dyn FnMut(&SyncProgress) + Send),
) -> Result<()> {
    let started = Instant::now();
    let received_before = store.sync_status().await?.received;
    let (header, mut stream) = api.bootstrap(from).await?;
    tracing::info!(total = header.total, after = %header.after, "bootstrap started");
    let sizes = BatchSize::from_env();
    let mut applied_at = from.to_owned();
    let track = |report: &SyncReport, state: &mut SyncProgress| {
        let elapsed = started.elapsed().as_secs_f64().max(1e-3);
        let done = report.received as u64;
        let rate = done as f64 / elapsed;
        state.received = report.received;
        state.received_total = received_before + done;
        state.rate_per_s = rate;
        state.more = done < header.total;
        state.bootstrap = Some(BootstrapProgress {
            total: header.total,
            done,
            seconds_left: (rate > 0.0).then(|| header.total.saturating_sub(done) as f64 / rate),
        });
    };
    track(report, state);
    progress(state);
    // One connection for every batch: its cache holds the indexes the
    // batches grow.
    let mut writer = store.pinned_writer().await?;
    // Where the time went: writing batches, and waiting for the stream
    // beyond the write it overlapped (the first batch's read included).
    let (mut writing, mut waiting) = (std::time::Duration::ZERO, std::time::Duration::ZERO);
    let first_read = Instant::now();
    let mut next = read_batch(&mut stream, sizes.after(received_before as usize)).await;
    waiting += first_read.elapsed();
    loop {
        let ReadBatch {
            changes,
            cursor,
            end,
        } = next;
        // What was read is applied (also when the stream broke), the next
        // batch read meanwhile unless the stream has ended.
        let mut following = None;
        if let Some(cursor) = cursor.filter(|_| !changes.is_empty()) {
            let apply = writer.apply_pulled(&applied_at, &changes, &cursor, Utc::now());
            let page = if end.is_none() {
                let timed_apply = async {
                    let t = Instant::now();
                    let page = apply.await;
                    (page, t.elapsed())
                };
                let per_batch =
                    sizes.after(received_before as usize + report.received + changes.len());
                let timed_read = async {
                    let t = Instant::now();
                    let read = read_batch(&mut stream, per_batch).await;
                    (read, t.elapsed())
                };
                let ((page, applying), (read, reading)) = tokio::join!(timed_apply, timed_read);
                writing += applying;
                waiting += reading.saturating_sub(applying);
                following = Some(read);
                page?
            } else {
                let t = Instant::now();
                let page = apply.await;
                writing += t.elapsed();
                page?
            };
            if page.stale {
                // Another sync of this counter went further: it goes on.
                return Ok(());
            }
            report.received += changes.len();
            report.applied += page.applied;
            report.not_applicable += page.rejected;
            applied_at = cursor;
            report.cursor.clone_from(&applied_at);
            track(report, state);
            progress(state);
        }
        next = match (end, following) {
            (None, Some(read)) => read,
            (None, None) => {
                read_batch(
                    &mut stream,
                    sizes.after(received_before as usize + report.received),
                )
                .await
            }
            (Some(Ok(e)), _) => {
                drop(writer);
                store.finish_bootstrap(&e.cursor, Utc::now()).await?;
                state.bootstrap = None;
                tracing::info!(sent = e.sent, elapsed = ?started.elapsed(), ?writing, ?waiting,
                    "bootstrap done");
                return Ok(());
            }
            (Some(Err(e)), _) => return Err(e),
        };
    }
}

async fn pull(
    store: &Store,
    api: &ServerApi,
    mut cursor: String,
    report: &mut SyncReport,
    state: &mut SyncProgress,
    progress: &mut (dyn FnMut(&SyncProgress) + Send),
) -> Result<()> {
    let started = Instant::now();
    // Read once: the page loop below adds what it receives (the report
    // may already count a bootstrap of this sync).
    let received_before = store.sync_status().await?.received;
    let base = report.received;
    loop {
        let page = api.pull(&cursor, PULL_LIMIT).await?;
        let changes: Vec<_> = page.changes.into_iter().map(|f| f.change).collect();
        let applied = store
            .apply_pulled(&cursor, &changes, &page.cursor, Utc::now())
            .await?;
        if applied.stale {
            // Another sync of this counter went further: go on from there.
            cursor = store
                .sync_link()
                .await?
                .ok_or(ClientError::NotEnrolled)?
                .cursor;
            continue;
        }
        report.received += changes.len();
        report.applied += applied.applied;
        report.not_applicable += applied.rejected;
        cursor = page.cursor;
        report.cursor.clone_from(&cursor);
        let pulled = report.received - base;
        state.received = report.received;
        state.more = page.more;
        state.rate_per_s = pulled as f64 / started.elapsed().as_secs_f64().max(1e-3);
        state.received_total = received_before + pulled as u64;
        progress(state);
        if !page.more {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::BatchSize;

    #[test]
    fn bootstrap_batches_grow_with_what_the_counter_holds() {
        let grows = BatchSize { fixed: None };
        let sizes: Vec<usize> = [0, 79_999, 200_000, 400_000, 5_000_000]
            .into_iter()
            .map(|n| grows.after(n))
            .collect();
        assert_eq!(sizes, vec![10_000, 10_000, 25_000, 50_000, 50_000]);
        let fixed = BatchSize { fixed: Some(97) };
        assert_eq!((fixed.after(0), fixed.after(1_000_000)), (97, 97));
    }
}
