//! The follow-up queue's rules (issue 11): why a call is due, what a call's
//! outcome does, and the French sentences the queue and the timeline show.
//! Pure: the store reads the dossiers and the calendar, this decides.
//!
//! - A dossier's follow-up is due for one of two reasons: the call that
//!   closure schedules ([`crate::dossier::DEFAULT_FOLLOW_UP_DAYS`] after it),
//!   or a low satisfaction score (at most the store's threshold) not yet
//!   called back. At most one is pending at a time: the closure follow-up
//!   is done once a satisfaction score is recorded.
//! - **Reached**: the round is done, the dossier leaves the queue.
//! - **No answer**: the next try is due at the opening of the next working
//!   day of the store's calendar; the [`MAX_TRIES`]th no answer in a row
//!   ends the round (the dossier leaves the queue, the timeline says why).
//! - **Call back on a date**: due again from local midnight of that date
//!   (today or later, at most [`MAX_CALL_BACK_DAYS`] ahead); the count of
//!   no answers starts again.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::calendar::BusinessCalendar;
use crate::{CoreError, Result};

/// Three calls without an answer in a row end a follow-up round.
pub const MAX_TRIES: u8 = 3;
/// A call back is planned at most this many days ahead.
pub const MAX_CALL_BACK_DAYS: i64 = 366;

/// Why a dossier's follow-up call is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FollowUpReason {
    /// The call that closure schedules (D+3).
    AfterClosure,
    /// A low satisfaction score, to call the customer back.
    LowScore,
}

impl FollowUpReason {
    pub fn code(self) -> &'static str {
        match self {
            FollowUpReason::AfterClosure => "after_closure",
            FollowUpReason::LowScore => "low_score",
        }
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            FollowUpReason::AfterClosure => "Suivi après clôture",
            FollowUpReason::LowScore => "Rappel après une note basse",
        }
    }
}

/// What came of a follow-up call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[ts(export)]
pub enum FollowUpOutcome {
    /// The customer was reached.
    Reached,
    /// Nobody answered.
    NoAnswer,
    /// The customer asked to be called back on that (local) date.
    CallBack { on: NaiveDate },
}

impl FollowUpOutcome {
    pub fn code(self) -> &'static str {
        match self {
            FollowUpOutcome::Reached => "reached",
            FollowUpOutcome::NoAnswer => "no_answer",
            FollowUpOutcome::CallBack { .. } => "call_back",
        }
    }
}

/// One call due in the follow-up queue, with the customer's card at hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FollowUpItem {
    pub dossier_id: crate::ids::DossierId,
    pub number: String,
    pub customer_id: crate::ids::CustomerId,
    pub customer_name: String,
    /// The customer's primary phone (as they gave it), then e-mail.
    pub phone: Option<String>,
    pub email: Option<String>,
    pub product_name: Option<String>,
    pub reason: FollowUpReason,
    pub reason_label: String,
    /// Since when the call is due (the queue is oldest first).
    pub due_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub csat_score: Option<u8>,
    /// Calls of this round in a row without an answer.
    pub no_answers: u8,
    /// Why it is due, in one French sentence.
    pub why: String,
}

/// What a recorded call did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FollowUpRecorded {
    pub reason: FollowUpReason,
    /// The timeline's sentence.
    pub note: String,
    /// When the dossier is back in the queue; `None`: it left the queue.
    pub next_call_at: Option<DateTime<Utc>>,
}

/// A call-back date must be today or later (local date of the store), and
/// not more than [`MAX_CALL_BACK_DAYS`] ahead.
pub fn check_call_back(on: NaiveDate, today: NaiveDate) -> Result<()> {
    if on < today {
        return Err(CoreError::CallBackInPast { on, today });
    }
    if (on - today).num_days() > MAX_CALL_BACK_DAYS {
        return Err(CoreError::CallBackTooFar {
            on,
            max_days: MAX_CALL_BACK_DAYS,
        });
    }
    Ok(())
}

/// What a call's outcome does to the round: when the next call is due
/// (`None`: the round is done) and the timeline's sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallEffect {
    /// This call's try number in the round (1 for the first no answer…).
    pub attempt: u8,
    pub next_call_at: Option<DateTime<Utc>>,
    pub note: String,
}

/// The effect of `outcome`, `no_answers_before` calls of the round having
/// gone unanswered, on the store's calendar at `now`. The date of a call
/// back is checked here (see [`check_call_back`]).
pub fn call_effect(
    reason: FollowUpReason,
    outcome: FollowUpOutcome,
    no_answers_before: u8,
    note: Option<&str>,
    calendar: &BusinessCalendar,
    now: DateTime<Utc>,
) -> Result<CallEffect> {
    let today = calendar.local_date(now);
    let label = reason.label_fr();
    let (attempt, next_call_at, sentence) = match outcome {
        FollowUpOutcome::Reached => (0, None, format!("{label} : client joint.")),
        FollowUpOutcome::NoAnswer => {
            let attempt = no_answers_before.saturating_add(1);
            if attempt >= MAX_TRIES {
                (
                    attempt,
                    None,
                    format!(
                        "{label} : pas de réponse ({attempt}e essai sans réponse) ; suivi arrêté après {MAX_TRIES} essais."
                    ),
                )
            } else {
                let next = next_try_at(calendar, today);
                (
                    attempt,
                    Some(next),
                    format!(
                        "{label} : pas de réponse (essai {attempt} sur {MAX_TRIES}) ; nouvel essai le {}.",
                        calendar.local_date(next).format("%d/%m/%Y")
                    ),
                )
            }
        }
        FollowUpOutcome::CallBack { on } => {
            check_call_back(on, today)?;
            let at = calendar.local_to_utc(on.and_time(chrono::NaiveTime::MIN));
            (
                0,
                Some(at),
                format!(
                    "{label} : le client demande à être rappelé le {}.",
                    on.format("%d/%m/%Y")
                ),
            )
        }
    };
    let note = match note.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => format!("{sentence} {n}"),
        None => sentence,
    };
    Ok(CallEffect {
        attempt,
        next_call_at,
        note,
    })
}

/// The opening of the first working day after `today` (the store's hours,
/// holidays and closures); a store without opening hours in the next 400
/// days gets the next day's midnight.
pub fn next_try_at(calendar: &BusinessCalendar, today: NaiveDate) -> DateTime<Utc> {
    let mut day = today;
    for _ in 0..400 {
        day = day.succ_opt().unwrap_or(day);
        if let Some((open, _)) = calendar.opening_intervals(day).first() {
            return *open;
        }
    }
    let next = today.succ_opt().unwrap_or(today);
    calendar.local_to_utc(next.and_time(chrono::NaiveTime::MIN))
}

/// Why a dossier is in the queue, in one French sentence.
pub fn why_due_fr(
    reason: FollowUpReason,
    due_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
    score: Option<u8>,
    no_answers: u8,
    calendar: &BusinessCalendar,
) -> String {
    let date = |t: DateTime<Utc>| calendar.local_date(t).format("%d/%m/%Y").to_string();
    let base = match reason {
        FollowUpReason::AfterClosure => match closed_at {
            Some(c) => format!(
                "Appel de suivi prévu le {} après la clôture du {}",
                date(due_at),
                date(c)
            ),
            None => format!("Appel de suivi prévu le {}", date(due_at)),
        },
        FollowUpReason::LowScore => format!(
            "Note de satisfaction {}/5 : rappeler le client (à faire depuis le {})",
            score.unwrap_or(0),
            date(due_at)
        ),
    };
    if no_answers > 0 {
        format!(
            "{base} ; {no_answers} appel{} sans réponse sur {MAX_TRIES}.",
            if no_answers > 1 { "s" } else { "" }
        )
    } else {
        format!("{base}.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::CalendarConfig;
    use chrono::{Datelike, Weekday};

    fn cal() -> BusinessCalendar {
        BusinessCalendar::new(CalendarConfig::default()).unwrap()
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn call_back_dates_are_checked() {
        let today = d(2027, 11, 18);
        assert!(check_call_back(today, today).is_ok());
        assert!(check_call_back(d(2027, 11, 25), today).is_ok());
        let e = check_call_back(d(2027, 11, 17), today).unwrap_err();
        assert_eq!(e.code(), "call_back_in_past");
        assert!(e.message_fr().contains("17/11/2027"), "{}", e.message_fr());
        let e = check_call_back(d(2029, 1, 1), today).unwrap_err();
        assert_eq!(e.code(), "call_back_too_far");
    }

    #[test]
    fn no_answer_tries_the_next_working_day_then_stops() {
        let c = cal();
        // Saturday 13 November 2027, 15:00 in Lyon: Sunday is closed, the
        // next try is Monday 15 at the opening (9:30 by default).
        let now = c.local_to_utc(d(2027, 11, 13).and_hms_opt(15, 0, 0).unwrap());
        let e = call_effect(
            FollowUpReason::AfterClosure,
            FollowUpOutcome::NoAnswer,
            0,
            None,
            &c,
            now,
        )
        .unwrap();
        assert_eq!(e.attempt, 1);
        let next = e.next_call_at.unwrap();
        assert_eq!(c.local_date(next), d(2027, 11, 15));
        assert_eq!(c.local_date(next).weekday(), Weekday::Mon);
        assert!(c.is_open_at(next));
        assert!(e.note.contains("essai 1 sur 3"), "{}", e.note);
        // Wednesday 10 November: the 11th is a public holiday → Friday 12.
        let wed = c.local_to_utc(d(2027, 11, 10).and_hms_opt(18, 0, 0).unwrap());
        let e = call_effect(
            FollowUpReason::LowScore,
            FollowUpOutcome::NoAnswer,
            1,
            Some("Messagerie pleine."),
            &c,
            wed,
        )
        .unwrap();
        assert_eq!(e.attempt, 2);
        assert_eq!(c.local_date(e.next_call_at.unwrap()), d(2027, 11, 12));
        assert!(e.note.ends_with("Messagerie pleine."), "{}", e.note);
        // The third no answer ends the round.
        let e = call_effect(
            FollowUpReason::LowScore,
            FollowUpOutcome::NoAnswer,
            2,
            None,
            &c,
            wed,
        )
        .unwrap();
        assert_eq!((e.attempt, e.next_call_at), (3, None));
        assert!(e.note.contains("suivi arrêté"), "{}", e.note);
    }

    #[test]
    fn reached_ends_and_call_back_is_due_from_that_midnight() {
        let c = cal();
        let now = c.local_to_utc(d(2027, 11, 18).and_hms_opt(14, 0, 0).unwrap());
        let e = call_effect(
            FollowUpReason::AfterClosure,
            FollowUpOutcome::Reached,
            2,
            None,
            &c,
            now,
        )
        .unwrap();
        assert_eq!(e.next_call_at, None);
        let e = call_effect(
            FollowUpReason::AfterClosure,
            FollowUpOutcome::CallBack {
                on: d(2027, 11, 25),
            },
            0,
            None,
            &c,
            now,
        )
        .unwrap();
        let at = e.next_call_at.unwrap();
        assert_eq!(
            at,
            c.local_to_utc(d(2027, 11, 25).and_hms_opt(0, 0, 0).unwrap())
        );
        assert!(e.note.contains("25/11/2027"), "{}", e.note);
        let past = call_effect(
            FollowUpReason::AfterClosure,
            FollowUpOutcome::CallBack {
                on: d(2027, 11, 17),
            },
            0,
            None,
            &c,
            now,
        );
        assert_eq!(past.unwrap_err().code(), "call_back_in_past");
    }

    #[test]
    fn outcome_wire_form() {
        let o = FollowUpOutcome::CallBack {
            on: d(2027, 11, 25),
        };
        let j = serde_json::to_value(o).unwrap();
        assert_eq!(
            j,
            serde_json::json!({"outcome": "call_back", "on": "2027-11-25"})
        );
        let back: FollowUpOutcome =
            serde_json::from_value(serde_json::json!({"outcome": "no_answer"})).unwrap();
        assert_eq!(back, FollowUpOutcome::NoAnswer);
    }
}
