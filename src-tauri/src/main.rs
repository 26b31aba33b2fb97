// Hide the console window of a release build on Windows.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]
#![forbid(unsafe_code)]

// mimalloc, as the central server: the sync's JSON decoding is as
// allocation-heavy as the server's import, where glibc's malloc took 45 %
// of the time (docs/ARCHITECTURE.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    comptoir_app::run();
}
