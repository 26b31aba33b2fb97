//! The commands the UI may invoke, one module per domain. Each is a few
//! lines calling `comptoir-store`; none holds a business rule or SQL.

pub mod app;
pub mod customers;
pub mod dossiers;
pub mod manager;
pub mod policy;
pub mod print;
pub mod report;
pub mod session;
pub mod settings;
pub mod signals;
pub mod sync;
