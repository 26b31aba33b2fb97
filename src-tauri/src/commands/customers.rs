use comptoir_core::ids::CustomerId;
use comptoir_core::views::{CustomerCard, SearchResponse};
use tauri::State;

use crate::error::AppResult;
use crate::state::AppState;

/// The one search field: name, phone, e-mail, order/receipt/dossier number.
#[tauri::command]
pub async fn search(state: State<'_, AppState>, query: String) -> AppResult<SearchResponse> {
    Ok(state.store()?.search(&query).await?)
}

/// Everything known about one customer, across every channel.
#[tauri::command]
pub async fn customer_card(
    state: State<'_, AppState>,
    customer_id: String,
) -> AppResult<CustomerCard> {
    let id = CustomerId::parse(&customer_id)?;
    Ok(state.store()?.customer_card(id).await?)
}
