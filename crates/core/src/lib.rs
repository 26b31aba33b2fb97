//! Comptoir's domain: identifiers, money, the customer history views and the
//! pure rules behind search (text folding, phone numbers, query planning).
//!
//! This crate performs no I/O. The `sqlx` feature only adds the trait impls
//! that let the store crate bind ids and enums directly.
#![forbid(unsafe_code)]

pub mod audit;
pub mod auth;
pub mod bounds;
pub mod calendar;
pub mod changes;
pub mod customer;
pub mod dossier;
pub mod erasure;
pub mod error;
pub mod events;
pub mod export;
pub mod followup;
pub mod fulfilment;
pub mod hlc;
pub mod ids;
pub mod model;
pub mod money;
pub mod normalize;
pub mod phonetic;
pub mod policy;
pub mod reasons;
pub mod records;
pub mod refusal;
pub mod report;
pub mod search;
pub mod session;
pub mod signals;
pub mod typo;
pub mod views;
pub mod workflow;

pub use error::{CoreError, Result};
pub use money::Cents;
