//! Sign-in at the counter: login and PIN (checked by the store, with the
//! lockout), the session's lock after the idle time, « Changer
//! d'utilisateur », « Verrouiller ». The session lives in `AppState`; every
//! other command takes its actor from it.

use chrono::Utc;
use comptoir_core::session::SessionView;
use tauri::State;

use crate::error::AppResult;
use crate::state::AppState;

/// Signs a user in (or resumes their locked session); another user's
/// session ends. A wrong PIN and an unknown login get the same answer.
#[tauri::command]
pub async fn sign_in(
    state: State<'_, AppState>,
    login: String,
    pin: String,
) -> AppResult<Option<SessionView>> {
    let session = state.store()?.sign_in(&login, &pin, Utc::now()).await?;
    Ok(state.signed_in(session).await)
}

#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>) -> AppResult<()> {
    state.sign_out().await;
    Ok(())
}

/// Who is signed in, and whether the session is locked (Rust decides it
/// from the last activity). Not an activity itself.
#[tauri::command]
pub async fn current_session(state: State<'_, AppState>) -> AppResult<Option<SessionView>> {
    Ok(state.session_view(false).await)
}

/// The UI reports keyboard or mouse activity (throttled); a locked session
/// stays locked.
#[tauri::command]
pub async fn touch(state: State<'_, AppState>) -> AppResult<Option<SessionView>> {
    Ok(state.session_view(true).await)
}

/// « Verrouiller »: the session waits for its user's PIN.
#[tauri::command]
pub async fn lock(state: State<'_, AppState>) -> AppResult<Option<SessionView>> {
    Ok(state.lock().await)
}
