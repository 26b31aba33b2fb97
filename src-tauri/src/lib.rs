//! Comptoir's desktop shell: opens the local database, exposes a few thin
//! commands to the UI, and nothing else. The logic lives in `comptoir-core`,
//! `comptoir-store` and `comptoir-print`.
#![forbid(unsafe_code)]

pub mod commands;
pub mod error;
pub mod state;

use tauri::{Manager, RunEvent};
use tracing_subscriber::EnvFilter;

fn init_tracing() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,comptoir_app=debug,comptoir_store=debug"));
    // A second initialisation (tests) is harmless.
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}

/// Starts the app and blocks until its last window closes. Whichever way it
/// ends — the last window closed, SIGTERM or Ctrl+C (the session ending, a
/// service manager, `kill`), or an error at start — the store is closed
/// first, so the database file alone holds everything that was written.
pub fn run() {
    init_tracing();
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "Comptoir starting");
    comptoir_store::close_on_exit();
    let built = tauri::Builder::default()
        // The system's save dialog, opened from Rust only (no JS permission).
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            let mut state = tauri::async_runtime::block_on(state::AppState::open(app.handle()));
            // The background sync (it waits quietly while not enrolled);
            // what it brings is announced to the window, which refreshes.
            let events = app.handle().clone();
            tauri::async_runtime::block_on(async {
                state.start_sync(move |report| {
                    use tauri::Emitter;
                    let _ = events.emit("sync-changed", report.applied);
                });
            });
            app.manage(state);
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let signal = comptoir_store::stop_requested().await;
                tracing::info!(?signal, "stop requested: closing the app");
                handle.exit(0);
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app::app_info,
            commands::session::sign_in,
            commands::session::sign_out,
            commands::session::current_session,
            commands::session::touch,
            commands::session::lock,
            commands::manager::set_idle_lock,
            commands::manager::users,
            commands::manager::unlock_user,
            commands::manager::audit_log,
            commands::manager::erase_customer,
            commands::manager::export_customer,
            commands::signals::customer_signals,
            commands::signals::weak_signals,
            commands::signals::signal_thresholds,
            commands::signals::set_signal_thresholds,
            commands::signals::follow_up_queue,
            commands::signals::record_follow_up,
            commands::report::dashboard,
            commands::report::drill_down,
            commands::report::report_choices,
            commands::report::export_report,
            commands::customers::search,
            commands::customers::customer_card,
            commands::customers::check_new_customer,
            commands::customers::check_customer_edit,
            commands::customers::create_customer,
            commands::customers::edit_customer,
            commands::dossiers::reasons,
            commands::dossiers::intake_form,
            commands::dossiers::open_dossier,
            commands::dossiers::dossier_detail,
            commands::dossiers::dossier_action,
            commands::dossiers::add_note,
            commands::dossiers::assign_dossier,
            commands::dossiers::close_dossier,
            commands::dossiers::record_satisfaction,
            commands::dossiers::list_dossiers,
            commands::dossiers::message_templates,
            commands::settings::get_settings,
            commands::settings::set_setting,
            commands::settings::list_printers,
            commands::print::print_dossier,
            commands::policy::policy_preview,
            commands::policy::dossier_policy,
            commands::policy::decide,
            commands::policy::managers,
            commands::policy::current_policy,
            commands::sync::sync_status,
            commands::sync::sync_now,
            commands::sync::sync_enrol,
        ])
        .build(tauri::generate_context!());
    let app = match built {
        Ok(app) => app,
        Err(error) => {
            tracing::error!(%error, "Comptoir stopped on an error");
            tauri::async_runtime::block_on(comptoir_store::close_all());
            std::process::exit(1);
        }
    };
    app.run(|handle, event| {
        if let RunEvent::Exit = event {
            if let Some(state) = handle.try_state::<state::AppState>() {
                state.stop_sync();
            }
            tauri::async_runtime::block_on(comptoir_store::close_all());
            tracing::info!("database closed, Comptoir stopped");
        }
    });
}
