//! Declares the app's own commands so that tauri-build generates one
//! permission per command (`allow-search`, …) and the capability files grant
//! each of them explicitly.

const COMMANDS: &[&str] = &[
    "app_info",
    "sign_in",
    "sign_out",
    "current_session",
    "lock",
    "touch",
    // The manager's (permission set `manager`, permissions/manager.toml).
    "set_idle_lock",
    "unlock_user",
    "audit_log",
    "erase_customer",
    "export_customer",
    "set_signal_thresholds",
    "customer_signals",
    "weak_signals",
    "signal_thresholds",
    "follow_up_queue",
    "record_follow_up",
    "dashboard",
    "drill_down",
    "report_choices",
    "export_report",
    "search",
    "customer_card",
    "check_new_customer",
    "check_customer_edit",
    "create_customer",
    "edit_customer",
    "reasons",
    "intake_form",
    "open_dossier",
    "dossier_detail",
    "dossier_action",
    "add_note",
    "assign_dossier",
    "close_dossier",
    "record_satisfaction",
    "list_dossiers",
    "message_templates",
    "get_settings",
    "set_setting",
    "list_printers",
    "print_dossier",
    "policy_preview",
    "dossier_policy",
    "decide",
    "managers",
    "users",
    "current_policy",
    "sync_status",
    "sync_now",
    "sync_enrol",
];

fn main() {
    println!("cargo:rerun-if-changed=permissions");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .unwrap_or_else(|e| panic!("tauri-build failed: {e:#}"));
}
