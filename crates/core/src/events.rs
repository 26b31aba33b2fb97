//! A dossier is the fold of its events. Each [`DossierEvent`] carries its
//! data; [`fold`] turns any set of [`EventRecord`]s into the one
//! [`DossierState`] every replica computes from the same set, whatever
//! order the events arrived in:
//!
//! - events are ordered by their HLC timestamp, then by their id (UUIDv7,
//!   unique), and an id seen twice counts once;
//! - the fold is total: an event that is not legal where it lands (two
//!   counters acted on the same dossier while apart — one closed it while
//!   the other added a diagnosis) changes nothing, stays on the timeline and
//!   is listed in [`DossierState::conflicts`] with a French explanation.
//!
//! Every column of the store's `dossiers` row is a projection of this
//! state and of nothing else.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::calendar::{DeadlinePromise, WaitInterval};
use crate::dossier::{ItemCondition, Resolution};
use crate::followup::{FollowUpOutcome, FollowUpReason};
use crate::hlc::Hlc;
use crate::ids::*;
use crate::model::{DossierOrigin, DossierStatus};
use crate::policy::{DecisionRecord, Severity};
use crate::workflow::{is_terminal, transition, DossierAction};
use crate::Cents;

/// What intake records: the dossier as it was opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opened {
    /// `SAV-…`, given by the counter that opened it.
    pub number: String,
    pub store_id: Option<StoreId>,
    pub origin: DossierOrigin,
    pub customer_id: CustomerId,
    pub order_line_id: Option<OrderLineId>,
    pub product_id: Option<ProductId>,
    /// A product declared by the customer when there is no purchase record.
    pub product_label: Option<String>,
    pub reason_code: String,
    pub customer_words: Option<String>,
    pub condition: Option<ItemCondition>,
    pub condition_note: Option<String>,
    #[serde(default)]
    pub accessories: Vec<String>,
    pub serial_number: Option<String>,
    pub assignee: Option<String>,
    pub opened_by: Option<String>,
    /// The store's promise ("48 heures ouvrées"), when it made one.
    pub promise: Option<DeadlinePromise>,
    /// The committed deadline at intake.
    pub promised_at: Option<DateTime<Utc>>,
    /// The legal ceiling of the deadline, when the guarantee applies.
    pub legal_cap_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub sealed: bool,
    #[serde(default = "major")]
    pub severity: Severity,
    /// When the customer noticed the defect, if said at intake.
    #[serde(default)]
    pub defect_noticed_on: Option<NaiveDate>,
}

fn major() -> Severity {
    Severity::Major
}

/// One thing that happened to a dossier, with its data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum DossierEvent {
    /// The dossier is opened (at a counter, online, by phone).
    Opened(Box<Opened>),
    /// A workflow action (diagnose, wait for a part, hand back, close…).
    Action { action: DossierAction },
    /// A note on the timeline.
    Note,
    /// Given to a clerk, or taken back (`None`).
    Assigned { assignee: Option<String> },
    /// A decision under the return policy (the latest one counts).
    Decision { decision: Box<DecisionRecord> },
    /// A manager approved the decision that goes with it.
    Approval {
        manager_id: Option<UserId>,
        manager_login: Option<String>,
    },
    /// How the case was resolved, with the follow-up call due date; the
    /// `close` action follows it.
    Resolution {
        resolution: Box<Resolution>,
        follow_up_due: Option<DateTime<Utc>>,
    },
    /// A message sent to the customer (the text is the event's note).
    MessageSent,
    /// A message from the customer (the text is the event's note).
    CustomerMessage,
    /// The follow-up call after closure, with what came of it.
    FollowUpDone { outcome: String },
    /// The customer's satisfaction after the SAV (the follow-up is done).
    Satisfaction { score: u8, comment: Option<String> },
    /// The committed deadline moved (time spent waiting for the customer).
    DeadlineRecomputed { promised_at: DateTime<Utc> },
    /// A follow-up call (after closure, or after a low score) and what came
    /// of it; `next_call_at` is when the next call is due (computed by the
    /// store on its calendar), `None` when the round is done.
    FollowUpCall {
        reason: FollowUpReason,
        outcome: FollowUpOutcome,
        /// The try number of a no answer in its round (0 otherwise).
        attempt: u8,
        next_call_at: Option<DateTime<Utc>>,
    },
}

impl DossierEvent {
    /// The timeline's kind code (the `kind` column, the UI's icon): the
    /// action's own code for a workflow action.
    pub fn kind_code(&self) -> &'static str {
        match self {
            DossierEvent::Opened(_) => "opened",
            DossierEvent::Action { action } => action.code(),
            DossierEvent::Note => "note",
            DossierEvent::Assigned { .. } => "assigned",
            DossierEvent::Decision { .. } => "decision",
            DossierEvent::Approval { .. } => "approval",
            DossierEvent::Resolution { .. } => "resolution",
            DossierEvent::MessageSent => "message_sent",
            DossierEvent::CustomerMessage => "customer_message",
            DossierEvent::FollowUpDone { .. } => "follow_up_done",
            DossierEvent::Satisfaction { .. } => "satisfaction",
            DossierEvent::DeadlineRecomputed { .. } => "deadline_recomputed",
            DossierEvent::FollowUpCall { .. } => "follow_up_call",
        }
    }

    /// Whether the event answers the customer: a workflow action (diagnose,
    /// wait for a part, ready, hand back, cancel…), a decision, or a message
    /// sent. Notes, assignments, approvals alone, the customer's own
    /// messages, follow-ups and recomputed deadlines do not.
    pub fn answers_the_customer(&self) -> bool {
        matches!(
            self,
            DossierEvent::Action { .. } | DossierEvent::Decision { .. } | DossierEvent::MessageSent
        )
    }

    /// The status the event leads to when it is legal.
    pub fn status_after(&self) -> Option<DossierStatus> {
        match self {
            DossierEvent::Opened(_) => Some(DossierStatus::Opened),
            DossierEvent::Action { action } => Some(action.target()),
            _ => None,
        }
    }
}

/// An event as it is stored and travels: who, when (wall clock and HLC),
/// from which counter, the timeline's text, and the event itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRecord {
    pub id: DossierEventId,
    pub dossier_id: DossierId,
    pub hlc: Hlc,
    pub device_id: Uuid,
    pub at: DateTime<Utc>,
    pub actor: String,
    /// The timeline's text (a note, the message sent, "Attribué à …").
    pub note: Option<String>,
    pub event: DossierEvent,
}

/// An event the fold kept but could not apply, and why, in French.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub event_id: DossierEventId,
    pub message_fr: String,
}

/// The dossier as its events make it. Every field is what one or more
/// events set; nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierState {
    /// What intake recorded; `None` until the opening event is known.
    pub intake: Option<Opened>,
    pub opened_at: Option<DateTime<Utc>>,
    pub status: DossierStatus,
    /// When it left the counter's hands (handed back, closed, cancelled).
    pub closed_at: Option<DateTime<Utc>>,
    pub promised_at: Option<DateTime<Utc>>,
    pub assignee: Option<String>,
    pub decision: Option<DecisionRecord>,
    pub resolution: Option<Resolution>,
    pub follow_up_due: Option<DateTime<Utc>>,
    pub followed_up_at: Option<DateTime<Utc>>,
    pub csat_score: Option<u8>,
    pub csat_comment: Option<String>,
    /// When the call back after the satisfaction score is due, once a call
    /// moved it (before any call: from the score, `followed_up_at`).
    pub score_call_due: Option<DateTime<Utc>>,
    /// When the call back after the satisfaction score was done (reached,
    /// or the last try without an answer).
    pub score_called_back_at: Option<DateTime<Utc>>,
    /// The round of the latest follow-up call, and how many calls of that
    /// round in a row went unanswered (not projected: the store reads it to
    /// number the next try).
    pub follow_up_round: Option<FollowUpReason>,
    pub follow_up_no_answers: u8,
    /// Finished waits for the customer (they pause the promise).
    pub customer_waits: Vec<WaitInterval>,
    /// Since when the dossier waits for the customer, if it does.
    pub waiting_customer_since: Option<DateTime<Utc>>,
    /// The earliest event that answered the customer (see
    /// [`DossierEvent::answers_the_customer`]), for the dashboard's first
    /// response time.
    #[serde(default)]
    pub first_response_at: Option<DateTime<Utc>>,
    /// The latest HLC folded (a new local event must come after it).
    pub last_hlc: Hlc,
    /// Events kept on the timeline but not applied, in fold order.
    pub conflicts: Vec<Conflict>,
}

impl Default for DossierState {
    fn default() -> Self {
        DossierState {
            intake: None,
            opened_at: None,
            status: DossierStatus::Opened,
            closed_at: None,
            promised_at: None,
            assignee: None,
            decision: None,
            resolution: None,
            follow_up_due: None,
            followed_up_at: None,
            csat_score: None,
            csat_comment: None,
            score_call_due: None,
            score_called_back_at: None,
            follow_up_round: None,
            follow_up_no_answers: 0,
            customer_waits: Vec::new(),
            waiting_customer_since: None,
            first_response_at: None,
            last_hlc: Hlc::ZERO,
            conflicts: Vec::new(),
        }
    }
}

impl DossierState {
    /// The goodwill gesture the decision granted.
    pub fn gesture(&self) -> Option<Cents> {
        self.decision.as_ref().and_then(|d| d.gesture)
    }

    /// Why `event` is not legal on this state, or `None` when it is.
    pub fn refusal(&self, event: &DossierEvent) -> Option<String> {
        let opened = self.intake.is_some();
        if let DossierEvent::Opened(_) = event {
            return opened.then(|| {
                "Ouverture en double : ce dossier était déjà ouvert ; cette ouverture est ignorée."
                    .to_owned()
            });
        }
        if !opened {
            return Some(
                "Événement daté d'avant l'ouverture du dossier : il n'a pas été pris en compte."
                    .to_owned(),
            );
        }
        let status = self.status;
        let closed_word = || status.label_fr().to_lowercase();
        match event {
            DossierEvent::Opened(_) => None,
            DossierEvent::Action { action } => transition(status, *action).err().map(|e| {
                format!(
                    "Conflit entre postes : {} Cette action, faite ailleurs en même temps, n'a pas été appliquée.",
                    e.message_fr()
                )
            }),
            DossierEvent::Note | DossierEvent::MessageSent | DossierEvent::CustomerMessage => {
                None
            }
            DossierEvent::Assigned { .. } => is_terminal(status).then(|| {
                format!(
                    "Conflit entre postes : le dossier était déjà {} ; l'attribution n'a pas été appliquée.",
                    closed_word()
                )
            }),
            DossierEvent::Decision { .. } | DossierEvent::Approval { .. } => is_terminal(status)
                .then(|| {
                    format!(
                        "Conflit entre postes : le dossier était déjà {} ; cette décision n'a pas été appliquée.",
                        closed_word()
                    )
                }),
            DossierEvent::Resolution { .. } => transition(status, DossierAction::Close)
                .err()
                .map(|_| {
                    format!(
                        "Conflit entre postes : le dossier était {} ; cette clôture n'a pas été appliquée.",
                        closed_word()
                    )
                }),
            DossierEvent::FollowUpDone { .. } => (status != DossierStatus::Closed
                || self.followed_up_at.is_some())
            .then(|| {
                "Conflit entre postes : le suivi était déjà fait, ou le dossier n'était pas clos ; ce suivi n'a pas été appliqué."
                    .to_owned()
            }),
            DossierEvent::Satisfaction { .. } => {
                (!crate::dossier::can_record_satisfaction(status, self.csat_score)).then(|| {
                    "Conflit entre postes : la satisfaction était déjà recueillie, ou le dossier n'était pas clos ; cette note n'a pas été appliquée."
                        .to_owned()
                })
            }
            DossierEvent::FollowUpCall { reason, .. } => match reason {
                FollowUpReason::AfterClosure => (status != DossierStatus::Closed
                    || self.followed_up_at.is_some())
                .then(|| {
                    "Conflit entre postes : le suivi après clôture était déjà fait, ou le dossier n'était pas clos ; cet appel n'a pas été appliqué."
                        .to_owned()
                }),
                FollowUpReason::LowScore => (self.csat_score.is_none()
                    || self.score_called_back_at.is_some())
                .then(|| {
                    "Conflit entre postes : le client était déjà rappelé après sa note, ou aucune note n'était recueillie ; cet appel n'a pas été appliqué."
                        .to_owned()
                }),
            },
            DossierEvent::DeadlineRecomputed { .. } => is_terminal(status).then(|| {
                format!(
                    "Conflit entre postes : le dossier était déjà {} ; le nouveau délai n'a pas été appliqué.",
                    closed_word()
                )
            }),
        }
    }

    /// Applies one event (in fold order): its effect when it is legal, a
    /// conflict when it is not. Never fails.
    pub fn apply(&mut self, e: &EventRecord) {
        self.last_hlc = self.last_hlc.max(e.hlc);
        if let Some(message_fr) = self.refusal(&e.event) {
            self.conflicts.push(Conflict {
                event_id: e.id,
                message_fr,
            });
            return;
        }
        if e.event.answers_the_customer() {
            self.first_response_at = Some(self.first_response_at.map_or(e.at, |t| t.min(e.at)));
        }
        match &e.event {
            DossierEvent::Opened(o) => {
                self.opened_at = Some(e.at);
                self.status = DossierStatus::Opened;
                self.promised_at = o.promised_at;
                self.assignee = o.assignee.clone();
                self.intake = Some((**o).clone());
            }
            DossierEvent::Action { action } => {
                let next = action.target();
                if self.status == DossierStatus::WaitingCustomer
                    && next != DossierStatus::WaitingCustomer
                {
                    if let Some(start) = self.waiting_customer_since.take() {
                        self.customer_waits.push(WaitInterval { start, end: e.at });
                    }
                }
                if next == DossierStatus::WaitingCustomer {
                    self.waiting_customer_since = Some(e.at);
                }
                self.closed_at = (!next.is_open()).then_some(e.at);
                self.status = next;
            }
            DossierEvent::Note | DossierEvent::MessageSent | DossierEvent::CustomerMessage => {}
            DossierEvent::Assigned { assignee } => self.assignee = assignee.clone(),
            DossierEvent::Decision { decision } => self.decision = Some((**decision).clone()),
            DossierEvent::Approval { .. } => {}
            DossierEvent::Resolution {
                resolution,
                follow_up_due,
            } => {
                self.resolution = Some((**resolution).clone());
                self.follow_up_due = *follow_up_due;
            }
            DossierEvent::FollowUpDone { .. } => self.followed_up_at = Some(e.at),
            DossierEvent::Satisfaction { score, comment } => {
                self.csat_score = Some(*score);
                self.csat_comment = comment.clone();
                self.followed_up_at = Some(e.at);
            }
            DossierEvent::DeadlineRecomputed { promised_at } => {
                self.promised_at = Some(*promised_at);
            }
            DossierEvent::FollowUpCall {
                reason,
                outcome,
                next_call_at,
                ..
            } => {
                match (reason, next_call_at) {
                    (FollowUpReason::AfterClosure, Some(next)) => self.follow_up_due = Some(*next),
                    (FollowUpReason::AfterClosure, None) => self.followed_up_at = Some(e.at),
                    (FollowUpReason::LowScore, Some(next)) => self.score_call_due = Some(*next),
                    (FollowUpReason::LowScore, None) => self.score_called_back_at = Some(e.at),
                }
                let same_round = self.follow_up_round == Some(*reason);
                self.follow_up_no_answers = match outcome {
                    FollowUpOutcome::NoAnswer if same_round => {
                        self.follow_up_no_answers.saturating_add(1)
                    }
                    FollowUpOutcome::NoAnswer => 1,
                    _ => 0,
                };
                self.follow_up_round = Some(*reason);
            }
        }
    }

    /// Whether an event was kept as a conflict.
    pub fn conflict_of(&self, id: DossierEventId) -> Option<&str> {
        self.conflicts
            .iter()
            .find(|c| c.event_id == id)
            .map(|c| c.message_fr.as_str())
    }
}

/// The fold order: HLC, then event id.
pub fn sort_events(events: &mut [EventRecord]) {
    events.sort_by_key(|e| (e.hlc, e.id));
}

/// The dossier's state from its events, in any order, duplicates counted
/// once. Total: never fails, never panics.
pub fn fold<'a>(events: impl IntoIterator<Item = &'a EventRecord>) -> DossierState {
    let mut sorted: Vec<&EventRecord> = events.into_iter().collect();
    sorted.sort_by_key(|e| (e.hlc, e.id));
    let mut seen = HashSet::with_capacity(sorted.len());
    let mut state = DossierState::default();
    for e in sorted {
        if seen.insert(e.id) {
            state.apply(e);
        }
    }
    state
}

#[cfg(test)]
mod tests;
