// Hide the console window of a release build on Windows.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]
#![forbid(unsafe_code)]

fn main() {
    // The counter speaks French whatever the machine's locale: the web
    // view takes its language from LANGUAGE (date fields then read
    // jj/mm/aaaa, not mm/dd/yyyy). Set before any thread starts.
    if std::env::var_os("LANGUAGE").is_none() {
        std::env::set_var("LANGUAGE", "fr_FR:fr");
    }
    comptoir_app::run();
}
