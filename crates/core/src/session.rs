//! Sign-in at the counter: who is signed in, since when, their last
//! activity, and the lock after an idle time. Pure: the store checks the
//! PIN and builds the [`Session`]; the app keeps one [`CounterSession`] per
//! window and asks it, at every command, for the actor of the write.
//!
//! The rules, in one place:
//! - nobody signed in → every data command is refused (`not_signed_in`);
//! - no activity for the idle time → the session locks (`session_locked`)
//!   and refuses every command until the same user types their PIN again
//!   (the session resumes, its screens kept) or another user signs in (the
//!   first session ends);
//! - a manager-only command checks the role here (`manager_only`), never in
//!   the screen.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use ts_rs::TS;

use crate::auth::Role;
use crate::ids::UserId;
use crate::{CoreError, Result};

/// The idle time after which a session locks, unless a manager sets another.
pub const IDLE_LOCK_DEFAULT_MINUTES: u32 = 5;
/// The idle time a manager may set: 1 minute to 4 hours.
pub const IDLE_LOCK_MIN_MINUTES: u32 = 1;
pub const IDLE_LOCK_MAX_MINUTES: u32 = 240;

/// Reads an idle time typed in minutes (a whole number within the bounds).
pub fn parse_idle_minutes(text: &str) -> Result<u32> {
    text.trim()
        .parse::<u32>()
        .ok()
        .filter(|m| (IDLE_LOCK_MIN_MINUTES..=IDLE_LOCK_MAX_MINUTES).contains(m))
        .ok_or_else(|| CoreError::IdleLockOutOfRange {
            value: text.trim().chars().take(20).collect(),
        })
}

/// Who is signed in at the counter. Never holds the PIN or its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Session {
    pub user_id: UserId,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub role_label: String,
    pub signed_in_at: DateTime<Utc>,
    pub last_activity: DateTime<Utc>,
}

impl Session {
    /// The name every write records as its actor (timelines, lists).
    pub fn actor(&self) -> &str {
        &self.display_name
    }

    pub fn is_manager(&self) -> bool {
        self.role == Role::Manager
    }
}

/// The session as the screens show it: who, whether it is locked, and the
/// idle time in force (the UI reports activity; Rust decides the lock).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SessionView {
    pub session: Session,
    pub locked: bool,
    pub idle_secs: u32,
}

/// What a sign-in did to the counter's session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignedIn {
    /// Nobody was signed in.
    New,
    /// The same user typed their PIN again (on a locked session or not):
    /// the session goes on, its screens kept.
    Resumed,
    /// Another user took over the counter: this session ended.
    Replaced(Session),
}

/// The counter's one session and its lock. One per window, behind a mutex
/// in the app; every instant comes from the caller.
#[derive(Debug, Clone, Default)]
pub struct CounterSession {
    current: Option<Session>,
    locked: bool,
}

impl CounterSession {
    pub fn new() -> Self {
        Self::default()
    }

    /// A user whose PIN the store has just checked. The same user resumes
    /// their session; another one replaces it.
    pub fn signed_in(&mut self, session: Session) -> SignedIn {
        let outcome = match self.current.take() {
            None => SignedIn::New,
            Some(old) if old.user_id == session.user_id => {
                self.current = Some(Session {
                    last_activity: session.last_activity,
                    ..old
                });
                self.locked = false;
                return SignedIn::Resumed;
            }
            Some(old) => SignedIn::Replaced(old),
        };
        self.current = Some(session);
        self.locked = false;
        outcome
    }

    /// Ends the session (« Changer d'utilisateur », closing); returns it.
    pub fn sign_out(&mut self) -> Option<Session> {
        self.locked = false;
        self.current.take()
    }

    /// Locks the session now (« Verrouiller »). Returns the session if it
    /// was not locked already.
    pub fn lock(&mut self) -> Option<Session> {
        let session = self.current.as_ref()?;
        if self.locked {
            return None;
        }
        self.locked = true;
        Some(session.clone())
    }

    /// Locks the session if nothing happened for `idle` since its last
    /// activity; returns it when it locked just now (to record it once).
    pub fn expire(&mut self, now: DateTime<Utc>, idle: Duration) -> Option<Session> {
        let session = self.current.as_ref()?;
        if self.locked || now - session.last_activity < idle {
            return None;
        }
        self.locked = true;
        Some(session.clone())
    }

    /// The signed-in, unlocked session, with `now` as its last activity:
    /// the actor of a command. Call [`Self::expire`] first.
    pub fn active(&mut self, now: DateTime<Utc>) -> Result<Session> {
        let session = self.current.as_mut().ok_or(CoreError::NotSignedIn)?;
        if self.locked {
            return Err(CoreError::SessionLocked {
                name: session.display_name.clone(),
            });
        }
        if now > session.last_activity {
            session.last_activity = now;
        }
        Ok(session.clone())
    }

    /// [`Self::active`], for a manager only (`manager_only` otherwise).
    pub fn active_manager(&mut self, now: DateTime<Utc>) -> Result<Session> {
        let session = self.active(now)?;
        if !session.is_manager() {
            return Err(CoreError::ManagerOnly);
        }
        Ok(session)
    }

    /// The session as the screens show it (no activity recorded).
    pub fn view(&self, idle: Duration) -> Option<SessionView> {
        self.current.as_ref().map(|session| SessionView {
            session: session.clone(),
            locked: self.locked,
            idle_secs: u32::try_from(idle.num_seconds()).unwrap_or(u32::MAX),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(min: i64, sec: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap()
            + Duration::minutes(min)
            + Duration::seconds(sec)
    }

    fn session(login: &str, role: Role, now: DateTime<Utc>) -> Session {
        Session {
            user_id: UserId::new(),
            login: login.to_owned(),
            display_name: format!("Nom de {login}"),
            role,
            role_label: role.label_fr().to_owned(),
            signed_in_at: now,
            last_activity: now,
        }
    }

    #[test]
    fn nobody_signed_in_refuses_every_command() {
        let mut c = CounterSession::new();
        assert_eq!(c.active(at(0, 0)), Err(CoreError::NotSignedIn));
        assert_eq!(c.active_manager(at(0, 0)), Err(CoreError::NotSignedIn));
        assert_eq!(c.lock(), None);
        assert_eq!(c.expire(at(60, 0), Duration::minutes(5)), None);
        assert_eq!(c.view(Duration::minutes(5)), None);
    }

    #[test]
    fn activity_keeps_the_session_open_and_idle_time_locks_it() {
        let idle = Duration::minutes(5);
        let mut c = CounterSession::new();
        let julie = session("julie.m", Role::Clerk, at(0, 0));
        assert_eq!(c.signed_in(julie.clone()), SignedIn::New);
        // Activity every 4 minutes: never locked.
        for m in [4, 8, 12] {
            assert_eq!(c.expire(at(m, 0), idle), None);
            assert_eq!(c.active(at(m, 0)).map(|s| s.last_activity), Ok(at(m, 0)));
        }
        // 4 min 59 s after the last activity: still open; 5 min: locked, once.
        assert_eq!(c.expire(at(16, 59), idle), None);
        let locked = c.expire(at(17, 0), idle).expect("locks at the idle time");
        assert_eq!(locked.login, "julie.m");
        assert_eq!(c.expire(at(18, 0), idle), None, "recorded once");
        assert_eq!(
            c.active(at(18, 0)),
            Err(CoreError::SessionLocked {
                name: "Nom de julie.m".to_owned()
            })
        );
        assert!(c.view(idle).is_some_and(|v| v.locked && v.idle_secs == 300));
        // Her PIN again: the same session resumes (signed in at 9:00 still).
        assert_eq!(
            c.signed_in(session("julie.m", Role::Clerk, at(19, 0)).with_id(&julie)),
            SignedIn::Resumed
        );
        let resumed = c.active(at(19, 0)).expect("resumed");
        assert_eq!(resumed.signed_in_at, at(0, 0));
        assert!(c.view(idle).is_some_and(|v| !v.locked));
    }

    #[test]
    fn another_user_replaces_the_session_and_manager_commands_check_the_role() {
        let mut c = CounterSession::new();
        let julie = session("julie.m", Role::Clerk, at(0, 0));
        c.signed_in(julie.clone());
        assert_eq!(c.active_manager(at(1, 0)), Err(CoreError::ManagerOnly));
        assert!(c.lock().is_some());
        assert_eq!(c.lock(), None, "already locked");
        let sophie = session("sophie.r", Role::Manager, at(2, 0));
        match c.signed_in(sophie) {
            SignedIn::Replaced(old) => assert_eq!(old.login, "julie.m"),
            other => panic!("expected the first session to end: {other:?}"),
        }
        assert_eq!(
            c.active_manager(at(2, 1)).map(|s| s.login),
            Ok("sophie.r".to_owned())
        );
        assert_eq!(c.sign_out().map(|s| s.login), Some("sophie.r".to_owned()));
        assert_eq!(c.active(at(3, 0)), Err(CoreError::NotSignedIn));
    }

    #[test]
    fn idle_minutes_are_a_whole_number_from_1_to_240() {
        assert_eq!(parse_idle_minutes("5"), Ok(5));
        assert_eq!(parse_idle_minutes(" 1 "), Ok(1));
        assert_eq!(parse_idle_minutes("240"), Ok(240));
        for bad in ["0", "241", "-3", "2.5", "", "cinq"] {
            let err = parse_idle_minutes(bad).expect_err(bad);
            assert_eq!(err.code(), "idle_lock_out_of_range");
            assert!(err.message_fr().contains("entre 1 et 240"), "{bad}");
        }
    }

    impl Session {
        fn with_id(self, other: &Session) -> Session {
            Session {
                user_id: other.user_id,
                ..self
            }
        }
    }
}
