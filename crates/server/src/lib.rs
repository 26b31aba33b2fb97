//! Comptoir's central server: device enrolment and authentication, the sync
//! feed (push / pull), on an embedded SQLite file or on PostgreSQL.
#![forbid(unsafe_code)]

pub mod admin;
pub mod api;
pub mod app;
pub mod audit;
pub mod auth;
pub mod bootstrap;
pub mod demo;
pub mod erasure;
pub mod error;
pub mod import;
pub mod online;
pub mod settings;
pub mod storage;
pub mod validate;

pub use error::{ApiError, Result};
