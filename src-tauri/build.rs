//! Declares the app's own commands so that tauri-build generates one
//! permission per command (`allow-search`, …) and the capability files grant
//! each of them explicitly.

const COMMANDS: &[&str] = &["app_info", "search", "customer_card"];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .unwrap_or_else(|e| panic!("tauri-build failed: {e:#}"));
}
