//! Legal durations the calendar enforces (see `shared/LAW.md`). Each figure
//! lives here once, so that a change in the law is one edit.
//!
//! When the policy engine lands, these move to a crate-wide `law` module
//! alongside the other durations (withdrawal 14 days, GLC 2 years, …).

/// Legal conformity guarantee: the remedy (repair or replacement) is due
/// within this many calendar days of the customer's request
/// (Code de la consommation, L217-10). A committed deadline is never later.
pub const GLC_REMEDY_MAX_CALENDAR_DAYS: u64 = 30;

/// Article cited when a deadline is capped by [`GLC_REMEDY_MAX_CALENDAR_DAYS`].
pub const GLC_REMEDY_ARTICLE: &str = "Code de la consommation, art. L217-10";

/// Legal conformity guarantee: lasts this many months from delivery
/// (Code de la consommation, L217-3 and following).
pub const GLC_DURATION_MONTHS: u32 = 24;
