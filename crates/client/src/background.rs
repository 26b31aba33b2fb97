//! The sync as the app runs it: a tokio task that syncs every second (and
//! within a quarter of a second of a local change), backs off (exponentially, with jitter, up to a minute) while the server
//! is unreachable or failing, and syncs at once when asked (« Synchroniser
//! maintenant », or right after a local change). It never holds the store:
//! each step is one short transaction, queued like any writer's.

use std::sync::Arc;
use std::time::Duration;

use comptoir_store::Store;
use rand::Rng;
use tokio::sync::{watch, Notify};

use crate::engine::{sync_once, SyncProgress, SyncReport};

/// What the task is doing, for the top bar.
#[derive(Debug, Clone, Default)]
pub struct SyncActivity {
    /// A sync is running.
    pub running: bool,
    /// The running sync's progress (the bootstrap's progress bar).
    pub progress: Option<SyncProgress>,
    /// The last finished sync's report, when it succeeded.
    pub last: Option<SyncReport>,
}

impl SyncActivity {
    /// The stored status as the top bar shows it while this task runs: an
    /// enrolled counter whose sync is running now says `syncing`.
    pub fn overlay(&self, status: &mut comptoir_core::views::SyncStatus) {
        use comptoir_core::views::SyncActivity as Word;
        if self.running && status.enrolled {
            status.activity = Word::Syncing;
            status.activity_label = Word::Syncing.label_fr().to_owned();
        }
    }
}

/// Handle on the background sync task.
#[derive(Debug)]
pub struct Syncer {
    wake: Arc<Notify>,
    activity: watch::Receiver<SyncActivity>,
    task: tokio::task::JoinHandle<()>,
}

/// The delay before the next attempt after `failures` failures in a row:
/// `every`, doubled per failure up to `max`, then ±25 % of jitter so that
/// a chain's counters do not all come back at the same instant.
pub fn backoff(every: Duration, max: Duration, failures: u32) -> Duration {
    let base = every
        .saturating_mul(2u32.saturating_pow(failures.min(16)))
        .min(max);
    let jitter = rand::rng().random_range(0.75..1.25);
    base.mul_f64(jitter)
}

impl Syncer {
    /// Starts the task on the current tokio runtime. `changed(report)` is
    /// called after every sync that received something new (the app then
    /// refreshes what is on screen).
    pub fn spawn(
        store: Store,
        every: Duration,
        changed: impl Fn(&SyncReport) + Send + Sync + 'static,
    ) -> Syncer {
        let wake = Arc::new(Notify::new());
        let (tx, rx) = watch::channel(SyncActivity::default());
        let task = tokio::spawn(run(store, every, Arc::clone(&wake), tx, changed));
        Syncer {
            wake,
            activity: rx,
            task,
        }
    }

    /// Syncs now (or right after the sync that is running).
    pub fn sync_now(&self) {
        self.wake.notify_one();
    }

    pub fn activity(&self) -> SyncActivity {
        self.activity.borrow().clone()
    }

    /// Waits for the next change of activity (tests, the UI's event).
    pub fn subscribe(&self) -> watch::Receiver<SyncActivity> {
        self.activity.clone()
    }

    /// Stops the task (at its next await point: a transaction in flight
    /// is rolled back by SQLite, a page half-received is pulled again).
    pub fn stop(&self) {
        self.task.abort();
    }
}

async fn run(
    store: Store,
    every: Duration,
    wake: Arc<Notify>,
    tx: watch::Sender<SyncActivity>,
    changed: impl Fn(&SyncReport) + Send + Sync + 'static,
) {
    const MAX_BACKOFF: Duration = Duration::from_secs(60);
    let mut failures = 0u32;
    loop {
        tx.send_modify(|a| {
            a.running = true;
            a.progress = None;
        });
        let progress_tx = tx.clone();
        let mut progress = move |p: &SyncProgress| {
            progress_tx.send_modify(|a| a.progress = Some(p.clone()));
        };
        let outcome = sync_once(&store, &mut progress).await;
        let enrolled = !matches!(outcome, Err(crate::ClientError::NotEnrolled));
        let delay = match outcome {
            Ok(report) => {
                failures = 0;
                if report.applied > 0 {
                    changed(&report);
                }
                tx.send_modify(|a| {
                    a.running = false;
                    a.last = Some(report);
                });
                every
            }
            Err(e) => {
                tx.send_modify(|a| a.running = false);
                if matches!(e, crate::ClientError::NotEnrolled) {
                    // Nothing to do until the counter is enrolled.
                    failures = 0;
                    MAX_BACKOFF
                } else {
                    failures = failures.saturating_add(1);
                    backoff(every, MAX_BACKOFF, failures)
                }
            }
        };
        wait(&store, &wake, delay, enrolled && failures == 0).await;
    }
}

/// How often the task looks at the outbox between two syncs.
const WATCH: Duration = Duration::from_millis(250);

/// Waits `delay`, or less: until woken, or — while the link is good — until
/// the outbox holds a change (a local write goes out within a quarter of a
/// second, not at the next period). While failing, it waits the whole
/// backoff: nothing hammers a server that is down.
async fn wait(store: &Store, wake: &Notify, delay: Duration, link_good: bool) {
    let deadline = tokio::time::Instant::now() + delay;
    loop {
        let now = tokio::time::Instant::now();
        if now >= deadline {
            return;
        }
        let step = if link_good {
            WATCH.min(deadline - now)
        } else {
            deadline - now
        };
        tokio::select! {
            () = tokio::time::sleep(step) => {}
            () = wake.notified() => return,
        }
        if link_good && store.outbox_len().await.unwrap_or(0) > 0 {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_running_sync_says_syncing_only_on_an_enrolled_counter() {
        use comptoir_core::views::{SyncActivity as Word, SyncStatus};
        let status = |enrolled: bool| SyncStatus {
            enrolled,
            activity: if enrolled {
                Word::Online
            } else {
                Word::NotEnrolled
            },
            activity_label: String::new(),
            server_url: None,
            device_id: None,
            store_code: None,
            cursor: String::new(),
            last_attempt_at: None,
            last_success_at: None,
            last_error_code: None,
            last_error: None,
            outbox: 0,
            received: 0,
            bootstrapped_at: None,
            rejected: Vec::new(),
        };
        let running = SyncActivity {
            running: true,
            ..SyncActivity::default()
        };
        let mut s = status(true);
        running.overlay(&mut s);
        assert_eq!(
            (s.activity, s.activity_label.as_str()),
            (Word::Syncing, "synchronisation…")
        );
        let mut s = status(true);
        SyncActivity::default().overlay(&mut s);
        assert_eq!(s.activity, Word::Online);
        let mut s = status(false);
        running.overlay(&mut s);
        assert_eq!(s.activity, Word::NotEnrolled);
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter() {
        let every = Duration::from_secs(2);
        let max = Duration::from_secs(60);
        for failures in 0..20 {
            let d = backoff(every, max, failures);
            let base = (2.0 * 2f64.powi(failures.min(16) as i32)).min(60.0);
            let s = d.as_secs_f64();
            assert!(
                s >= base * 0.75 - 1e-9 && s <= base * 1.25 + 1e-9,
                "{failures}: {s} vs {base}"
            );
        }
        // Jitter: not every delay the same.
        let ds: std::collections::HashSet<_> = (0..20)
            .map(|_| backoff(every, max, 3).as_millis())
            .collect();
        assert!(ds.len() > 1);
    }
}
