//! The counter's sync client. It enrols the counter with the central
//! server, pushes its outbox, pulls the feed, and runs all day as a
//! background task in the app — never blocking the counter: every write it
//! makes goes through the store's one write path, in short transactions,
//! queued behind the clerk's like any other writer's.
//!
//! - [`credential`]: the device token, in a file readable by its owner only.
//! - [`api`]: the HTTP calls (reqwest, rustls), errors as [`ClientError`].
//! - [`engine`]: [`enrol`] and [`sync_once`] (push, then pull to the end).
//! - [`background`]: the task with jittered exponential backoff and a
//!   « Synchroniser maintenant » wake-up.
#![forbid(unsafe_code)]

pub mod api;
pub mod background;
pub mod credential;
pub mod engine;
mod error;

pub use background::{SyncActivity, Syncer};
pub use engine::{enrol, sync_once, BootstrapProgress, SyncProgress, SyncReport};
pub use error::{ClientError, Result};
