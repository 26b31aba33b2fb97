//! The counter's users: logins, roles, argon2id PINs with lockout, the
//! manager's approval.

use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use comptoir_core::auth::{self, ManagerApproval, PinCounter, Role, UserView};
use comptoir_core::ids::*;
use comptoir_core::CoreError;

/// Longest login of a counter user.
pub const MAX_LOGIN_CHARS: usize = 64;
#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: UserId,
    login: String,
    display_name: String,
    role: Role,
    pin_hash: String,
    failed_attempts: i64,
    locked_until: Option<DateTime<Utc>>,
}

impl UserRow {
    /// The user as listed at `now` (a lock that has run out is not shown).
    pub(crate) fn view(&self, now: DateTime<Utc>) -> UserView {
        UserView {
            id: self.id,
            login: self.login.clone(),
            display_name: self.display_name.clone(),
            role: self.role,
            role_label: self.role.label_fr().to_owned(),
            locked_until: self.locked_until.filter(|until| *until > now),
        }
    }
}

impl Store {
    /// Adds a counter user with a PIN (hashed with argon2id). The login is at
    /// most [`MAX_LOGIN_CHARS`] characters, the name a short text.
    pub async fn add_user(
        &self,
        login: &str,
        display_name: &str,
        role: Role,
        pin: &str,
        now: DateTime<Utc>,
    ) -> Result<UserId> {
        let login = login.trim().to_lowercase();
        comptoir_core::bounds::check_len("login", &login, MAX_LOGIN_CHARS)?;
        comptoir_core::bounds::check_short_text("display_name", display_name)?;
        if login.is_empty()
            || !login
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_')
        {
            return Err(StoreError::InvalidLogin { login });
        }
        if display_name.trim().is_empty() {
            return Err(CoreError::MissingField {
                field: "display_name",
            }
            .into());
        }
        let hash = auth::hash_pin(pin)?;
        let id = UserId::new();
        let done = sqlx::query(
            "INSERT INTO users (id, login, display_name, role, pin_hash, created_at)
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (login) DO NOTHING",
        )
        .bind(id)
        .bind(&login)
        .bind(display_name.trim())
        .bind(role)
        .bind(hash)
        .bind(now)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::LoginTaken { login });
        }
        Ok(id)
    }

    /// Active users, managers first, then by name; `locked_until` only
    /// while the lock lasts at `now`.
    pub async fn users(&self, now: DateTime<Utc>) -> Result<Vec<UserView>> {
        let rows: Vec<UserRow> = sqlx::query_as(
            "SELECT id, login, display_name, role, pin_hash, failed_attempts, locked_until
             FROM users WHERE active = 1 ORDER BY role DESC, display_name",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(|u| u.view(now)).collect())
    }

    /// The users who may approve beyond a clerk's authority.
    pub async fn managers(&self, now: DateTime<Utc>) -> Result<Vec<UserView>> {
        let mut users = self.users(now).await?;
        users.retain(|u| u.role == Role::Manager);
        Ok(users)
    }

    /// Lifts a lockout (an administrator's action).
    pub async fn unlock_user(&self, login: &str) -> Result<()> {
        self.unlock_user_as(login, "administration").await
    }

    /// [`Store::unlock_user`], audited in `actor`'s name (a manager at the
    /// counter).
    pub async fn unlock_user_as(&self, login: &str, actor: &str) -> Result<()> {
        let login = login.trim().to_lowercase();
        let mut conn = self.pool.acquire().await?;
        let mut tx = crate::tx::begin_write(Some(&self.gate), &mut conn).await?;
        let done = sqlx::query(
            "UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE login = ?",
        )
        .bind(&login)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "utilisateur",
            });
        }
        crate::audit::append(
            &mut tx,
            chrono::Utc::now(),
            actor,
            crate::audit::ACCOUNT_UNLOCKED,
            &login,
            &serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Checks a manager's PIN. A wrong PIN is counted (and committed) even
    /// though the caller's action is then refused; the fifth in a row locks
    /// the account. Returns the manager.
    pub async fn verify_manager(
        &self,
        approval: &ManagerApproval,
        now: DateTime<Utc>,
    ) -> Result<UserView> {
        let mut conn = self.pool.acquire().await?;
        let user = Self::user_by_login(&mut conn, &approval.login)
            .await?
            .ok_or_else(|| CoreError::NotAManager {
                login: approval.login.trim().to_owned(),
            })?;
        if user.role != Role::Manager {
            return Err(CoreError::NotAManager {
                login: user.display_name,
            }
            .into());
        }
        self.check_pin(&mut conn, user, &approval.pin, now, None)
            .await
    }

    /// Signs a user in at the counter with their login and PIN: the same
    /// PIN check and lockout as a manager's approval (wrong PINs and the
    /// lock recorded in the audit log), and a `sign_in` entry when it
    /// succeeds. An unknown login and a wrong PIN get the same answer
    /// (`sign_in_failed`), so logins cannot be probed; an unknown login is
    /// never counted, and takes the time of a PIN check.
    pub async fn sign_in(
        &self,
        login: &str,
        pin: &str,
        now: DateTime<Utc>,
    ) -> Result<comptoir_core::session::Session> {
        let mut conn = self.pool.acquire().await?;
        let Some(user) = Self::user_by_login(&mut conn, login).await? else {
            tracing::info!("sign-in with an unknown login");
            let pin = pin.to_owned();
            let _ = tokio::task::spawn_blocking(move || auth::check_pin_of_nobody(&pin)).await;
            return Err(CoreError::SignInFailed.into());
        };
        let audit = (
            crate::audit::SIGN_IN,
            serde_json::json!({ "role": user.role }),
        );
        let view = match self.check_pin(&mut conn, user, pin, now, Some(audit)).await {
            Ok(view) => view,
            Err(StoreError::Core(CoreError::PinWrong { .. })) => {
                return Err(CoreError::SignInFailed.into())
            }
            Err(StoreError::Core(CoreError::AccountLocked { until, tz })) => {
                return Err(CoreError::SignInLocked { until, tz }.into())
            }
            Err(other) => return Err(other),
        };
        Ok(comptoir_core::session::Session {
            user_id: view.id,
            login: view.login,
            display_name: view.display_name,
            role: view.role,
            role_label: view.role_label,
            signed_in_at: now,
            last_activity: now,
        })
    }

    /// Records in the audit log how a counter session ended or paused
    /// (`sign_out`, `session_locked`), with why.
    pub async fn audit_session(
        &self,
        kind: SessionEvent,
        login: &str,
        why: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        let mut tx = crate::tx::begin_write(Some(&self.gate), &mut conn).await?;
        crate::audit::append(
            &mut tx,
            now,
            login,
            kind.code(),
            login,
            &serde_json::json!({ "why": why }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn user_by_login(
        conn: &mut sqlx::SqliteConnection,
        login: &str,
    ) -> Result<Option<UserRow>> {
        Ok(sqlx::query_as(
            "SELECT id, login, display_name, role, pin_hash, failed_attempts, locked_until
             FROM users WHERE login = ? AND active = 1",
        )
        .bind(login.trim().to_lowercase())
        .fetch_optional(&mut *conn)
        .await?)
    }

    /// The PIN check shared by approvals and sign-ins: refused at once
    /// while locked; a wrong PIN counted under a write lock (`pin_failed`,
    /// and `account_locked` on the failure that locks); a right one resets
    /// the count and, with `on_success`, writes that audit entry in the
    /// same transaction.
    async fn check_pin(
        &self,
        conn: &mut sqlx::SqliteConnection,
        user: UserRow,
        pin: &str,
        now: DateTime<Utc>,
        on_success: Option<(&str, serde_json::Value)>,
    ) -> Result<UserView> {
        let tz = Self::local_calendar(&mut *conn).await?.timezone();
        PinCounter {
            failures: u32::try_from(user.failed_attempts).unwrap_or(u32::MAX),
            locked_until: user.locked_until,
        }
        .check_not_locked(now, tz)?;
        // Something that is not a PIN is a wrong PIN (and is never hashed);
        // argon2 runs off the async workers.
        let right = auth::check_pin_format(pin).is_ok() && {
            let (hash, pin) = (user.pin_hash.clone(), pin.to_owned());
            tokio::task::spawn_blocking(move || auth::verify_pin(&hash, &pin))
                .await
                .unwrap_or(false)
        };
        // The counter is read again and written under a write lock, so two
        // attempts at the same time are both counted.
        let mut tx = crate::tx::begin_write(Some(&self.gate), &mut *conn).await?;
        if right {
            sqlx::query("UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = ?")
                .bind(user.id)
                .execute(&mut *tx)
                .await?;
            if let Some((kind, detail)) = on_success {
                crate::audit::append(&mut tx, now, &user.login, kind, &user.login, &detail).await?;
            }
            tx.commit().await?;
            let mut view = user.view(now);
            view.locked_until = None;
            return Ok(view);
        }
        let (failures, locked_until): (i64, Option<DateTime<Utc>>) =
            sqlx::query_as("SELECT failed_attempts, locked_until FROM users WHERE id = ?")
                .bind(user.id)
                .fetch_one(&mut *tx)
                .await?;
        let after = PinCounter {
            failures: u32::try_from(failures).unwrap_or(u32::MAX),
            locked_until,
        }
        .after_failure(now);
        sqlx::query("UPDATE users SET failed_attempts = ?, locked_until = ? WHERE id = ?")
            .bind(i64::from(after.failures))
            .bind(after.locked_until)
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        crate::audit::append(
            &mut tx,
            now,
            &user.login,
            crate::audit::PIN_FAILED,
            &user.login,
            &serde_json::json!({ "failures": after.failures }),
        )
        .await?;
        if after.locked_until.is_some() && locked_until.is_none_or(|u| u <= now) {
            crate::audit::append(
                &mut tx,
                now,
                &user.login,
                crate::audit::ACCOUNT_LOCKED,
                &user.login,
                &serde_json::json!({ "until": after.locked_until, "failures": after.failures }),
            )
            .await?;
        }
        tx.commit().await?;
        tracing::warn!(login = %user.login, failures = after.failures, "wrong PIN");
        Err(after.failure_error(tz).into())
    }
}

/// How a counter session ended or paused, as the audit log names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEvent {
    /// Signed out, or replaced by a colleague who signed in.
    SignOut,
    /// Locked after the idle time, or by « Verrouiller ».
    Locked,
}

impl SessionEvent {
    pub fn code(self) -> &'static str {
        match self {
            SessionEvent::SignOut => crate::audit::SIGN_OUT,
            SessionEvent::Locked => crate::audit::SESSION_LOCKED,
        }
    }
}
