//! The change envelope: one row of a counter's outbox, as pushed to the
//! server and served back in its feed. One type for the counter, the store
//! and the server: `comptoir_core::changes::ChangeEnvelope`.

pub use comptoir_core::changes::ChangeEnvelope;
