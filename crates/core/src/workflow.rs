//! The dossier workflow: which action moves a dossier from one status to
//! another. Pure; the store records the resulting status on an event.
//!
//! | action              | from                                       | to                   |
//! |---------------------|--------------------------------------------|----------------------|
//! | `diagnose`          | opened                                     | diagnosed            |
//! | `wait_part`         | diagnosed                                  | waiting_part         |
//! | `wait_manufacturer` | opened, diagnosed                          | waiting_manufacturer |
//! | `wait_customer`     | diagnosed, waiting_part, waiting_manuf.    | waiting_customer     |
//! | `resume`            | waiting_part, waiting_manuf., waiting_cust.| diagnosed            |
//! | `mark_ready`        | opened, diagnosed, waiting_part, w._manuf. | ready                |
//! | `hand_back`         | ready                                      | handed_back          |
//! | `close`             | opened, diagnosed, handed_back             | closed               |
//! | `cancel`            | opened, diagnosed, any waiting status      | cancelled            |
//! | `reopen`            | handed_back                                | opened               |
//!
//! Why:
//! - A part or a customer's answer is only awaited once the product has been
//!   looked at (`diagnosed`); a sealed product may go to the manufacturer
//!   straight from intake. `resume` always returns to `diagnosed` (the
//!   workshop has the dossier again, its diagnosis made — by the manufacturer
//!   when it went there first).
//! - `mark_ready` from `opened` covers what needs no workshop: an exchange
//!   or a replacement prepared at once; from a waiting status, the part was
//!   fitted or the product came back repaired.
//! - `close` without a handover (from `opened` or `diagnosed`) is for
//!   dossiers with no product to give back: refund, advice, billing fix. A
//!   `ready` dossier holds the customer's product: it must be handed back
//!   first, and it cannot be cancelled either.
//! - `reopen` is allowed only from `handed_back`: the follow-up window
//!   before closure, when the customer comes back because the fault is
//!   still there. `closed` and `cancelled` are terminal: nothing moves them,
//!   so that a closed dossier's timeline and figures (resolution time,
//!   cost) stay true and two stores syncing can never disagree on it; a
//!   returning fault opens a new dossier that refers to the old one.

use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::DossierStatus;
use crate::records::DossierEventRecord;
use crate::{CoreError, Result};

/// What a clerk can do to a dossier's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DossierAction {
    Diagnose,
    WaitPart,
    WaitManufacturer,
    WaitCustomer,
    Resume,
    MarkReady,
    HandBack,
    Close,
    Cancel,
    Reopen,
}

use DossierAction as A;
use DossierStatus as S;

/// The transition table: each action, the statuses it applies to, and the
/// status it leads to. The one source of truth for [`transition`],
/// [`allowed_actions`] and the refusal messages.
const RULES: &[(DossierAction, &[DossierStatus], DossierStatus)] = &[
    (A::Diagnose, &[S::Opened], S::Diagnosed),
    (A::WaitPart, &[S::Diagnosed], S::WaitingPart),
    (
        A::WaitManufacturer,
        &[S::Opened, S::Diagnosed],
        S::WaitingManufacturer,
    ),
    (
        A::WaitCustomer,
        &[S::Diagnosed, S::WaitingPart, S::WaitingManufacturer],
        S::WaitingCustomer,
    ),
    (
        A::Resume,
        &[S::WaitingPart, S::WaitingManufacturer, S::WaitingCustomer],
        S::Diagnosed,
    ),
    (
        A::MarkReady,
        &[
            S::Opened,
            S::Diagnosed,
            S::WaitingPart,
            S::WaitingManufacturer,
        ],
        S::Ready,
    ),
    (A::HandBack, &[S::Ready], S::HandedBack),
    (
        A::Close,
        &[S::Opened, S::Diagnosed, S::HandedBack],
        S::Closed,
    ),
    (
        A::Cancel,
        &[
            S::Opened,
            S::Diagnosed,
            S::WaitingPart,
            S::WaitingManufacturer,
            S::WaitingCustomer,
        ],
        S::Cancelled,
    ),
    (A::Reopen, &[S::HandedBack], S::Opened),
];

impl DossierAction {
    pub const ALL: &'static [DossierAction] = &[
        A::Diagnose,
        A::WaitPart,
        A::WaitManufacturer,
        A::WaitCustomer,
        A::Resume,
        A::MarkReady,
        A::HandBack,
        A::Close,
        A::Cancel,
        A::Reopen,
    ];

    /// Stable code (JSON, database, TypeScript).
    pub fn code(self) -> &'static str {
        match self {
            A::Diagnose => "diagnose",
            A::WaitPart => "wait_part",
            A::WaitManufacturer => "wait_manufacturer",
            A::WaitCustomer => "wait_customer",
            A::Resume => "resume",
            A::MarkReady => "mark_ready",
            A::HandBack => "hand_back",
            A::Close => "close",
            A::Cancel => "cancel",
            A::Reopen => "reopen",
        }
    }

    /// The button a clerk presses.
    pub fn label_fr(self) -> &'static str {
        match self {
            A::Diagnose => "Diagnostiquer",
            A::WaitPart => "Attendre une pièce",
            A::WaitManufacturer => "Envoyer au fabricant",
            A::WaitCustomer => "Attendre le client",
            A::Resume => "Reprendre le traitement",
            A::MarkReady => "Marquer prêt à restituer",
            A::HandBack => "Restituer au client",
            A::Close => "Clore",
            A::Cancel => "Annuler le dossier",
            A::Reopen => "Rouvrir",
        }
    }

    /// The action as an infinitive phrase, for sentences.
    fn phrase_fr(self) -> &'static str {
        match self {
            A::Diagnose => "diagnostiquer le produit",
            A::WaitPart => "mettre le dossier en attente de pièce",
            A::WaitManufacturer => "envoyer le produit au fabricant",
            A::WaitCustomer => "mettre le dossier en attente du client",
            A::Resume => "reprendre le traitement",
            A::MarkReady => "marquer le dossier prêt à restituer",
            A::HandBack => "restituer le produit au client",
            A::Close => "clore le dossier",
            A::Cancel => "annuler le dossier",
            A::Reopen => "rouvrir le dossier",
        }
    }

    fn rule(self) -> (&'static [DossierStatus], DossierStatus) {
        RULES
            .iter()
            .find(|(a, _, _)| *a == self)
            .map(|(_, from, to)| (*from, *to))
            // Every action has a rule (checked by a test).
            .unwrap_or((&[], S::Opened))
    }

    /// The statuses this action applies to.
    pub fn allowed_from(self) -> &'static [DossierStatus] {
        self.rule().0
    }

    /// The status this action leads to.
    pub fn target(self) -> DossierStatus {
        self.rule().1
    }
}

impl FromStr for DossierAction {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self> {
        DossierAction::ALL
            .iter()
            .copied()
            .find(|a| a.code() == s)
            .ok_or_else(|| CoreError::UnknownValue {
                field: "dossier_action",
                value: s.to_owned(),
            })
    }
}

/// A dossier that can no longer change (see the module docs).
pub fn is_terminal(status: DossierStatus) -> bool {
    matches!(status, S::Closed | S::Cancelled)
}

/// The status `action` leads to from `from`, or
/// [`CoreError::TransitionNotAllowed`].
pub fn transition(from: DossierStatus, action: DossierAction) -> Result<DossierStatus> {
    let (sources, to) = action.rule();
    if sources.contains(&from) {
        Ok(to)
    } else {
        Err(CoreError::TransitionNotAllowed { from, action })
    }
}

/// The actions the UI offers for a dossier in `from`, in table order.
pub fn allowed_actions(from: DossierStatus) -> Vec<DossierAction> {
    RULES
        .iter()
        .filter(|(_, sources, _)| sources.contains(&from))
        .map(|(a, _, _)| *a)
        .collect()
}

/// The action that moves a dossier from `from` to `to`, if one does. The
/// table has at most one per pair (checked by a test).
pub fn action_between(from: DossierStatus, to: DossierStatus) -> Option<DossierAction> {
    RULES
        .iter()
        .find(|(_, sources, target)| *target == to && sources.contains(&from))
        .map(|(a, _, _)| *a)
}

/// The French message of a refused transition, naming both the action and
/// the status in words.
pub(crate) fn refusal_message_fr(from: DossierStatus, action: DossierAction) -> String {
    let phrase = action.phrase_fr();
    let de = if phrase.starts_with(['a', 'e', 'é', 'i', 'o', 'u']) {
        "d'"
    } else {
        "de "
    };
    let mut msg = format!(
        "Impossible {de}{phrase} : le dossier est « {} ».",
        from.label_fr()
    );
    let sources = action.allowed_from();
    if !sources.is_empty() {
        let list: Vec<String> = sources
            .iter()
            .map(|s| format!("« {} »", s.label_fr()))
            .collect();
        msg.push_str(&format!(
            " Cette action n'est possible que pour un dossier {}.",
            list.join(" ou ")
        ));
    }
    if is_terminal(from) {
        msg.push_str(
            " Un dossier clos ou annulé ne change plus : ouvrez un nouveau dossier si besoin.",
        );
    }
    msg
}

/// Checks that a dossier's timeline is a legal path and returns its final
/// status (the same as [`crate::records::fold_status`] for a legal one).
///
/// Events are taken in time order (ties broken by id, as the fold does);
/// events that do not change the status are skipped. The first status must
/// be `opened` (a timeline with no status at all is `opened`). The same
/// status twice in a row is accepted: two devices may record the same change
/// while offline, and the union of their events must still replay.
pub fn replay(events: &[DossierEventRecord]) -> Result<DossierStatus> {
    let mut sorted: Vec<&DossierEventRecord> = events.iter().collect();
    sorted.sort_by_key(|e| (e.at, e.id));
    let mut current: Option<DossierStatus> = None;
    for (i, to) in sorted.iter().filter_map(|e| e.status_after).enumerate() {
        let position = i + 1;
        current = Some(match current {
            None if to == S::Opened => to,
            None => {
                return Err(CoreError::InvalidTimeline {
                    position,
                    from: None,
                    to,
                })
            }
            Some(from) if from == to => to,
            Some(from) => match action_between(from, to) {
                Some(_) => to,
                None => {
                    return Err(CoreError::InvalidTimeline {
                        position,
                        from: Some(from),
                        to,
                    })
                }
            },
        });
    }
    Ok(current.unwrap_or(S::Opened))
}

/// Replays a sequence of actions from `start`, stopping at the first refusal.
pub fn apply_all(start: DossierStatus, actions: &[DossierAction]) -> Result<DossierStatus> {
    actions.iter().try_fold(start, |s, a| transition(s, *a))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::ids::DossierEventId;
    use crate::records::fold_status;
    use chrono::{TimeZone, Utc};

    /// Every allowed transition, written out (not derived from `RULES`).
    const ALLOWED: &[(DossierStatus, DossierAction, DossierStatus)] = &[
        (S::Opened, A::Diagnose, S::Diagnosed),
        (S::Opened, A::WaitManufacturer, S::WaitingManufacturer),
        (S::Opened, A::MarkReady, S::Ready),
        (S::Opened, A::Close, S::Closed),
        (S::Opened, A::Cancel, S::Cancelled),
        (S::Diagnosed, A::WaitPart, S::WaitingPart),
        (S::Diagnosed, A::WaitManufacturer, S::WaitingManufacturer),
        (S::Diagnosed, A::WaitCustomer, S::WaitingCustomer),
        (S::Diagnosed, A::MarkReady, S::Ready),
        (S::Diagnosed, A::Close, S::Closed),
        (S::Diagnosed, A::Cancel, S::Cancelled),
        (S::WaitingPart, A::WaitCustomer, S::WaitingCustomer),
        (S::WaitingPart, A::Resume, S::Diagnosed),
        (S::WaitingPart, A::MarkReady, S::Ready),
        (S::WaitingPart, A::Cancel, S::Cancelled),
        (S::WaitingManufacturer, A::WaitCustomer, S::WaitingCustomer),
        (S::WaitingManufacturer, A::Resume, S::Diagnosed),
        (S::WaitingManufacturer, A::MarkReady, S::Ready),
        (S::WaitingManufacturer, A::Cancel, S::Cancelled),
        (S::WaitingCustomer, A::Resume, S::Diagnosed),
        (S::WaitingCustomer, A::Cancel, S::Cancelled),
        (S::Ready, A::HandBack, S::HandedBack),
        (S::HandedBack, A::Close, S::Closed),
        (S::HandedBack, A::Reopen, S::Opened),
    ];

    #[test]
    fn every_allowed_transition() {
        for &(from, action, to) in ALLOWED {
            assert_eq!(transition(from, action), Ok(to), "{from:?} --{action:?}-->");
            assert_eq!(action_between(from, to), Some(action));
        }
    }

    #[test]
    fn everything_else_is_refused() {
        let mut refused = 0;
        for &from in DossierStatus::ALL {
            for &action in DossierAction::ALL {
                let listed = ALLOWED.iter().any(|&(f, a, _)| f == from && a == action);
                if !listed {
                    assert_eq!(
                        transition(from, action),
                        Err(CoreError::TransitionNotAllowed { from, action }),
                        "{from:?} --{action:?}--> should be refused"
                    );
                    refused += 1;
                }
            }
        }
        assert_eq!(refused, 9 * 10 - ALLOWED.len());
    }

    #[test]
    fn refused_transitions_that_matter() {
        // (from, action, words the clerk must read)
        let cases: &[(DossierStatus, DossierAction, &str)] = &[
            (
                S::Opened,
                A::HandBack,
                "Impossible de restituer le produit au client : le dossier est « Ouvert ». \
                 Cette action n'est possible que pour un dossier « Prêt à restituer ».",
            ),
            (S::Closed, A::Reopen, "ne change plus"),
            (S::Cancelled, A::Resume, "le dossier est « Annulé »"),
            (S::Ready, A::Cancel, "Impossible d'annuler le dossier"),
            (S::Ready, A::Close, "Impossible de clore le dossier"),
            (S::WaitingCustomer, A::MarkReady, "« En attente du client »"),
            (S::Opened, A::WaitPart, "« Diagnostiqué »"),
            (S::Opened, A::WaitCustomer, "en attente du client"),
            (S::Closed, A::Close, "« Clos »"),
            (S::HandedBack, A::HandBack, "« Restitué »"),
            (S::Diagnosed, A::Diagnose, "Impossible de diagnostiquer"),
            (S::Diagnosed, A::Resume, "reprendre le traitement"),
            (S::HandedBack, A::Cancel, "« Restitué »"),
        ];
        for &(from, action, words) in cases {
            let err = transition(from, action).unwrap_err();
            assert_eq!(err.code(), "transition_not_allowed");
            let msg = err.message_fr();
            assert!(msg.contains(words), "{from:?}/{action:?}: {msg}");
        }
    }

    #[test]
    fn terminal_states_allow_nothing() {
        for s in DossierStatus::ALL {
            assert_eq!(is_terminal(*s), allowed_actions(*s).is_empty(), "{s:?}");
        }
        assert!(is_terminal(S::Closed) && is_terminal(S::Cancelled));
    }

    #[test]
    fn allowed_actions_match_the_table() {
        for &from in DossierStatus::ALL {
            let mut expected: Vec<DossierAction> = ALLOWED
                .iter()
                .filter(|(f, _, _)| *f == from)
                .map(|(_, a, _)| *a)
                .collect();
            let mut got = allowed_actions(from);
            expected.sort_by_key(|a| a.code());
            got.sort_by_key(|a| a.code());
            assert_eq!(got, expected, "{from:?}");
        }
        assert_eq!(allowed_actions(S::Ready), vec![A::HandBack]);
    }

    #[test]
    fn one_action_per_status_pair_and_every_action_has_a_rule() {
        for a in DossierAction::ALL {
            assert!(
                RULES.iter().filter(|(r, _, _)| r == a).count() == 1,
                "{a:?}"
            );
        }
        for &from in DossierStatus::ALL {
            for &to in DossierStatus::ALL {
                let n = RULES
                    .iter()
                    .filter(|(_, f, t)| *t == to && f.contains(&from))
                    .count();
                assert!(n <= 1, "{from:?} -> {to:?} has {n} actions");
            }
        }
    }

    #[test]
    fn codes_labels_and_serde() {
        for a in DossierAction::ALL {
            assert_eq!(DossierAction::from_str(a.code()), Ok(*a));
            assert_eq!(
                serde_json::to_string(a).unwrap(),
                format!("\"{}\"", a.code())
            );
            assert!(!a.label_fr().is_empty());
        }
        assert_eq!(A::HandBack.label_fr(), "Restituer au client");
        assert!(DossierAction::from_str("teleport").is_err());
    }

    fn timeline(statuses: &[Option<DossierStatus>]) -> Vec<DossierEventRecord> {
        statuses
            .iter()
            .enumerate()
            .map(|(i, s)| DossierEventRecord {
                id: DossierEventId::new(),
                at: Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()
                    + chrono::TimeDelta::minutes(i as i64),
                actor: "test".into(),
                kind: if s.is_some() {
                    "status_changed"
                } else {
                    "note"
                }
                .into(),
                status_after: *s,
                note: None,
            })
            .collect()
    }

    #[test]
    fn replay_of_valid_timelines() {
        let valid: &[(&[Option<DossierStatus>], DossierStatus)] = &[
            (&[], S::Opened),
            (&[None, None], S::Opened),
            (&[Some(S::Opened)], S::Opened),
            (
                &[
                    Some(S::Opened),
                    Some(S::Diagnosed),
                    None,
                    Some(S::WaitingPart),
                    Some(S::WaitingCustomer),
                    Some(S::Diagnosed),
                    Some(S::Ready),
                    Some(S::HandedBack),
                    Some(S::Closed),
                    None,
                ],
                S::Closed,
            ),
            (
                &[
                    Some(S::Opened),
                    Some(S::WaitingManufacturer),
                    Some(S::Ready),
                    Some(S::HandedBack),
                    Some(S::Opened),
                    Some(S::Diagnosed),
                    Some(S::Ready),
                    Some(S::Ready), // same change recorded twice (two devices)
                ],
                S::Ready,
            ),
            (&[Some(S::Opened), Some(S::Cancelled)], S::Cancelled),
            (
                &[Some(S::Opened), Some(S::Diagnosed), Some(S::Closed)],
                S::Closed,
            ),
        ];
        for (statuses, expected) in valid {
            let events = timeline(statuses);
            assert_eq!(replay(&events), Ok(*expected), "{statuses:?}");
            assert_eq!(fold_status(&events), *expected);
        }
    }

    #[test]
    fn replay_sorts_by_time_first() {
        let mut events = timeline(&[Some(S::Opened), Some(S::Diagnosed), Some(S::Ready)]);
        events.reverse();
        assert_eq!(replay(&events), Ok(S::Ready));
    }

    #[test]
    fn replay_of_invalid_timelines() {
        let invalid: &[(&[Option<DossierStatus>], CoreError)] = &[
            (
                &[Some(S::Diagnosed)],
                CoreError::InvalidTimeline {
                    position: 1,
                    from: None,
                    to: S::Diagnosed,
                },
            ),
            (
                &[Some(S::Opened), None, Some(S::HandedBack)],
                CoreError::InvalidTimeline {
                    position: 2,
                    from: Some(S::Opened),
                    to: S::HandedBack,
                },
            ),
            (
                &[
                    Some(S::Opened),
                    Some(S::Diagnosed),
                    Some(S::Closed),
                    Some(S::Opened),
                ],
                CoreError::InvalidTimeline {
                    position: 4,
                    from: Some(S::Closed),
                    to: S::Opened,
                },
            ),
            (
                &[Some(S::Opened), Some(S::Cancelled), Some(S::Ready)],
                CoreError::InvalidTimeline {
                    position: 3,
                    from: Some(S::Cancelled),
                    to: S::Ready,
                },
            ),
            (
                &[Some(S::Opened), Some(S::WaitingCustomer)],
                CoreError::InvalidTimeline {
                    position: 2,
                    from: Some(S::Opened),
                    to: S::WaitingCustomer,
                },
            ),
        ];
        for (statuses, expected) in invalid {
            let err = replay(&timeline(statuses)).unwrap_err();
            assert_eq!(&err, expected, "{statuses:?}");
            assert_eq!(err.code(), "invalid_timeline");
            assert!(err
                .message_fr()
                .starts_with("Historique du dossier incohérent"));
        }
    }

    #[test]
    fn apply_all_stops_at_the_first_refusal() {
        assert_eq!(
            apply_all(
                S::Opened,
                &[A::Diagnose, A::MarkReady, A::HandBack, A::Close]
            ),
            Ok(S::Closed)
        );
        assert_eq!(
            apply_all(S::Opened, &[A::Diagnose, A::HandBack, A::Close]),
            Err(CoreError::TransitionNotAllowed {
                from: S::Diagnosed,
                action: A::HandBack
            })
        );
    }
}
