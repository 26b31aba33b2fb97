use chrono::Utc;
use comptoir_core::customer::{CustomerCheck, CustomerPatch, NewCustomer};
use comptoir_core::ids::CustomerId;
use comptoir_core::views::{CustomerCard, SearchResponse};
use tauri::State;

use crate::error::AppResult;
use crate::state::AppState;

/// The one search field: name, phone, e-mail, order/receipt/dossier number.
#[tauri::command]
pub async fn search(state: State<'_, AppState>, query: String) -> AppResult<SearchResponse> {
    state.actor().await?;
    Ok(state.store()?.search(&query).await?)
}

/// Everything known about one customer, across every channel.
#[tauri::command]
pub async fn customer_card(
    state: State<'_, AppState>,
    customer_id: String,
) -> AppResult<CustomerCard> {
    state.actor().await?;
    let id = CustomerId::parse(&customer_id)?;
    Ok(state.store()?.customer_card(id).await?)
}

/// What saving a new customer would point out (field problems, possible
/// duplicates); nothing is written.
#[tauri::command]
pub async fn check_new_customer(
    state: State<'_, AppState>,
    input: NewCustomer,
) -> AppResult<CustomerCheck> {
    state.actor().await?;
    Ok(state.store()?.check_new_customer(&input).await?)
}

/// The same for a correction of a customer.
#[tauri::command]
pub async fn check_customer_edit(
    state: State<'_, AppState>,
    customer_id: String,
    patch: CustomerPatch,
) -> AppResult<CustomerCheck> {
    state.actor().await?;
    let id = CustomerId::parse(&customer_id)?;
    Ok(state.store()?.check_customer_edit(id, &patch).await?)
}

/// Creates a customer met at the counter in the signed-in user's name; returns the card.
#[tauri::command]
pub async fn create_customer(
    state: State<'_, AppState>,
    input: NewCustomer,
    confirm_duplicates: bool,
) -> AppResult<CustomerCard> {
    let session = state.actor().await?;
    let store = state.store()?;
    let id = store
        .create_customer(&input, session.actor(), confirm_duplicates, Utc::now())
        .await?;
    Ok(store.customer_card(id).await?)
}

/// Corrects a customer in the signed-in user's name; returns the card.
#[tauri::command]
pub async fn edit_customer(
    state: State<'_, AppState>,
    customer_id: String,
    patch: CustomerPatch,
    confirm_duplicates: bool,
) -> AppResult<CustomerCard> {
    let id = CustomerId::parse(&customer_id)?;
    let session = state.actor().await?;
    let store = state.store()?;
    store
        .edit_customer(id, &patch, session.actor(), confirm_duplicates, Utc::now())
        .await?;
    Ok(store.customer_card(id).await?)
}
