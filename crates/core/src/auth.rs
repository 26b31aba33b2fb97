//! Counter users and their PINs: roles, argon2id hashes, and the lockout
//! rule after repeated wrong PINs. Pure (the salt comes from the OS RNG);
//! the store keeps the counters.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::ids::UserId;
use crate::{CoreError, Result};

/// Wrong PINs in a row that lock an account.
pub const MAX_PIN_FAILURES: u32 = 5;
/// How long a locked account stays locked.
pub const LOCKOUT_MINUTES: i64 = 15;
/// A PIN is 4 to 8 digits.
pub const PIN_MIN_DIGITS: usize = 4;
pub const PIN_MAX_DIGITS: usize = 8;

crate::model::labelled_enum!(
    /// What a user may do at the counter.
    Role, "role" {
        /// Opens and follows dossiers; grants what the policy lets a clerk grant.
        Clerk = "clerk" => "Conseiller",
        /// Also approves, with a PIN, what goes beyond a clerk's authority.
        Manager = "manager" => "Responsable",
    }
);

/// A counter user as the UI lists them (never the PIN hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UserView {
    pub id: UserId,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub role_label: String,
    /// Set while the account is locked after too many wrong PINs.
    pub locked_until: Option<DateTime<Utc>>,
}

/// A manager's approval typed at the counter. The PIN is never logged:
/// `Debug` hides it and it is never serialized back.
#[derive(Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct ManagerApproval {
    pub login: String,
    pub pin: String,
}

impl std::fmt::Debug for ManagerApproval {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManagerApproval")
            .field("login", &self.login)
            .field("pin", &"****")
            .finish()
    }
}

/// 4 to 8 digits, nothing else.
pub fn check_pin_format(pin: &str) -> Result<()> {
    let ok = (PIN_MIN_DIGITS..=PIN_MAX_DIGITS).contains(&pin.len())
        && pin.bytes().all(|b| b.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(CoreError::PinFormat)
    }
}

/// An argon2id hash of the PIN (PHC string, random salt).
pub fn hash_pin(pin: &str) -> Result<String> {
    check_pin_format(pin)?;
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| CoreError::PinHash(e.to_string()))
}

/// Whether `pin` matches `hash`. A hash that cannot be read never matches.
pub fn verify_pin(hash: &str, pin: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(pin.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Spends the time of a PIN check on a login that does not exist, so the
/// time a refusal takes does not tell whether the login exists.
pub fn check_pin_of_nobody(pin: &str) {
    static NOBODY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = NOBODY.get_or_init(|| hash_pin("00000000").unwrap_or_default());
    let _ = verify_pin(hash, pin);
}

/// The state of an account's PIN counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinCounter {
    pub failures: u32,
    pub locked_until: Option<DateTime<Utc>>,
}

impl PinCounter {
    /// Refuses at once while the account is locked (`tz`: the store's, for
    /// the message).
    pub fn check_not_locked(&self, now: DateTime<Utc>, tz: Tz) -> Result<()> {
        match self.locked_until {
            Some(until) if now < until => Err(CoreError::AccountLocked { until, tz }),
            _ => Ok(()),
        }
    }

    /// The counter after a wrong PIN: the fifth in a row locks the account
    /// for [`LOCKOUT_MINUTES`], and the count starts again after it.
    pub fn after_failure(self, now: DateTime<Utc>) -> PinCounter {
        let expired = self.locked_until.is_some_and(|u| now >= u);
        let failures = if expired { 1 } else { self.failures + 1 };
        if failures >= MAX_PIN_FAILURES {
            PinCounter {
                failures,
                locked_until: Some(now + Duration::minutes(LOCKOUT_MINUTES)),
            }
        } else {
            PinCounter {
                failures,
                locked_until: None,
            }
        }
    }

    /// The error a wrong PIN gets, given the counter after it.
    pub fn failure_error(&self, tz: Tz) -> CoreError {
        match self.locked_until {
            Some(until) => CoreError::AccountLocked { until, tz },
            None => CoreError::PinWrong {
                attempts_left: MAX_PIN_FAILURES.saturating_sub(self.failures),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn pin_format_is_four_to_eight_digits() {
        for ok in ["1234", "00000000", "482615"] {
            assert_eq!(check_pin_format(ok), Ok(()), "{ok}");
        }
        for bad in ["", "123", "123456789", "12a4", " 1234", "１２３４"] {
            assert_eq!(check_pin_format(bad), Err(CoreError::PinFormat), "{bad:?}");
        }
    }

    #[test]
    fn hash_verifies_the_right_pin_only_and_is_salted() {
        let h1 = hash_pin("4826").expect("hash");
        let h2 = hash_pin("4826").expect("hash");
        assert!(h1.starts_with("$argon2id$"), "{h1}");
        assert_ne!(h1, h2, "each hash has its own salt");
        assert!(verify_pin(&h1, "4826"));
        assert!(!verify_pin(&h1, "4827"));
        assert!(!verify_pin("not a hash", "4826"));
        assert!(hash_pin("12").is_err());
    }

    #[test]
    fn fifth_failure_locks_for_fifteen_minutes_then_the_count_restarts() {
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();
        let tz = chrono_tz::Europe::Paris;
        let mut c = PinCounter {
            failures: 0,
            locked_until: None,
        };
        // Five wrong PINs: four warnings, then the lock (literals, not the
        // constants, so that changing the rule fails this test).
        for left in [4, 3, 2, 1] {
            c = c.after_failure(now);
            assert_eq!(
                c.failure_error(tz),
                CoreError::PinWrong {
                    attempts_left: left
                }
            );
            assert_eq!(c.check_not_locked(now, tz), Ok(()));
        }
        c = c.after_failure(now);
        let until = now + Duration::minutes(15);
        assert_eq!(c.failure_error(tz), CoreError::AccountLocked { until, tz });
        // Said in the store's time: 10:00 UTC + 15 min is 11:15 in Paris.
        assert!(c.failure_error(tz).message_fr().contains("11:15"));
        let reunion = chrono_tz::Indian::Reunion;
        assert!(c.failure_error(reunion).message_fr().contains("14:15"));
        assert!(c.check_not_locked(now + Duration::minutes(14), tz).is_err());
        assert_eq!(c.check_not_locked(until, tz), Ok(()));
        // After the lock, one more wrong PIN counts as the first again.
        let after = c.after_failure(until);
        assert_eq!(after.failures, 1);
        assert_eq!(after.locked_until, None);
    }

    #[test]
    fn debug_never_shows_the_pin() {
        let a = ManagerApproval {
            login: "sophie".into(),
            pin: "4826".into(),
        };
        assert!(!format!("{a:?}").contains("4826"));
    }
}
