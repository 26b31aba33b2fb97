//! Helpers to drive the real Comptoir app through tauri-driver (WebDriver).
//!
//! The tests themselves are `#[ignore]`d: they need the app built with
//! `--features tauri/custom-protocol`, a demo database, `tauri-driver` on
//! port 4444 and a display. `scripts/e2e.sh` sets all of that up and runs
//! `cargo test -p comptoir-e2e -- --ignored`.
#![forbid(unsafe_code)]

use std::future::Future;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

/// W3C WebDriver key codes (sent as characters with `send_keys`).
pub mod keys {
    pub const ENTER: &str = "\u{E007}";
    pub const ESCAPE: &str = "\u{E00C}";
    pub const ARROW_UP: &str = "\u{E013}";
    pub const ARROW_DOWN: &str = "\u{E015}";
    pub const F2: &str = "\u{E032}";
    pub const F3: &str = "\u{E033}";
    pub const F4: &str = "\u{E034}";
    /// Held until [`NULL`] in the same `send_keys`.
    pub const CONTROL: &str = "\u{E009}";
    /// Releases the modifiers.
    pub const NULL: &str = "\u{E000}";
}

/// How long a condition may take before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(15);
/// Upper bound for one whole scenario, so a stuck app cannot hang the run.
pub const SCENARIO_TIMEOUT: Duration = Duration::from_secs(180);

pub fn webdriver_url() -> String {
    std::env::var("COMPTOIR_WEBDRIVER").unwrap_or_else(|_| "http://127.0.0.1:4444".to_owned())
}

/// The app binary under test: `COMPTOIR_APP`, else `<target>/debug/comptoir`.
pub fn app_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("COMPTOIR_APP") {
        return PathBuf::from(path);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("debug").join("comptoir")
}

async fn connect(args: &[String]) -> Client {
    let app = app_binary();
    assert!(
        app.is_file(),
        "app binary not found at {} (build it with `cargo build -p comptoir --features tauri/custom-protocol` or set COMPTOIR_APP)",
        app.display()
    );
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".to_owned(), "wry".into());
    caps.insert(
        "tauri:options".to_owned(),
        serde_json::json!({ "application": app.display().to_string(), "args": args }),
    );
    ClientBuilder::native()
        .capabilities(caps)
        .connect(&webdriver_url())
        .await
        .unwrap_or_else(|e| {
            panic!(
                "cannot open a WebDriver session on {}: {e}",
                webdriver_url()
            )
        })
}

/// Starts the app, runs `scenario` against it, and always closes the session
/// (which quits the app), also when the scenario panics or times out; then
/// re-raises the failure.
pub async fn with_app<F, Fut>(scenario: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    with_app_args(&[], scenario).await;
}

/// [`with_app`], the app started with these command-line arguments
/// (`--db PATH`: another counter's database).
pub async fn with_app_args<F, Fut>(args: &[String], scenario: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let client = connect(args).await;
    let run = tokio::spawn(tokio::time::timeout(
        SCENARIO_TIMEOUT,
        scenario(client.clone()),
    ));
    let outcome = run.await;
    if !matches!(outcome, Ok(Ok(()))) {
        describe_screen(&client).await;
    }
    if let Err(e) = client.close().await {
        eprintln!("warning: closing the WebDriver session failed: {e}");
    }
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(_)) => panic!("scenario did not finish within {SCENARIO_TIMEOUT:?}"),
        Err(join) if join.is_panic() => std::panic::resume_unwind(join.into_panic()),
        Err(join) => panic!("scenario task failed: {join}"),
    }
}

/// On a failure, what the window showed: the focused field, its value and
/// the text on screen, printed with the test's output (a CI log is often
/// all there is to read).
async fn describe_screen(client: &Client) {
    let focused = match client.active_element().await {
        Ok(el) => format!(
            "#{} = {:?}",
            el.attr("id").await.ok().flatten().unwrap_or_default(),
            el.prop("value").await.ok().flatten()
        ),
        Err(e) => format!("unknown ({e})"),
    };
    let body = match client.find(Locator::Css("body")).await {
        Ok(el) => el.text().await.unwrap_or_default(),
        Err(e) => format!("unreadable ({e})"),
    };
    let body: String = body.chars().take(3000).collect();
    eprintln!("--- the window at the failure\nfocused: {focused}\n{body}\n---");
}

/// Replaces what `field` holds with `text` the way a clerk does: Ctrl+A
/// then the keys (real key events, which React hears; WebDriver's clear
/// does not always reach a controlled input's state, and the old value
/// came back in front of the new one). Waits until the field holds exactly
/// `text`, or fails naming what it holds.
pub async fn fill(field: &Element, text: &str) {
    field
        .send_keys(&format!("{}a{}", keys::CONTROL, keys::NULL))
        .await
        .expect("select all");
    field.send_keys(text).await.expect("type");
    let start = Instant::now();
    loop {
        let now = field.prop("value").await.ok().flatten().unwrap_or_default();
        if now == text {
            return;
        }
        if start.elapsed() > PATIENCE {
            panic!("filled in « {text} », the field holds « {now} »");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Polls `probe` until it returns `Some`, or fails the test with `what`.
pub async fn eventually<T, P, Fut>(what: &str, mut probe: P) -> T
where
    P: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        if start.elapsed() > PATIENCE {
            panic!("timed out after {PATIENCE:?} waiting for: {what}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The element matching `css`, once it exists.
pub async fn element(client: &Client, css: &str) -> Element {
    let c = client.clone();
    eventually(&format!("element `{css}`"), move || {
        let c = c.clone();
        async move { c.find(Locator::Css(css)).await.ok() }
    })
    .await
}

/// Chooses `value` in the `<select>` at `select_css` once that option is
/// there (lists filled from a command arrive after their select).
pub async fn choose(client: &Client, select_css: &str, value: &str) {
    element(client, &format!("{select_css} option[value='{value}']")).await;
    element(client, select_css)
        .await
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("choose {value} in {select_css}: {e}"));
}

/// Visible text of every element matching `css` (empty if none).
pub async fn texts(client: &Client, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(found) = client.find_all(Locator::Css(css)).await {
        for el in found {
            if let Ok(t) = el.text().await {
                out.push(t);
            }
        }
    }
    out
}

/// Waits until the element matching `css` shows text containing every one of `needles`.
pub async fn text_containing(client: &Client, css: &str, needles: &[&str]) -> String {
    let c = client.clone();
    let what = format!("`{css}` to contain {needles:?}");
    eventually(&what, move || {
        let c = c.clone();
        async move {
            let text = c.find(Locator::Css(css)).await.ok()?.text().await.ok()?;
            needles.iter().all(|n| text.contains(n)).then_some(text)
        }
    })
    .await
}

/// The id of the focused element.
pub async fn focused_id(client: &Client) -> Option<String> {
    let el = client.active_element().await.ok()?;
    el.attr("id").await.ok().flatten()
}

/// Saves a screenshot of the window when `COMPTOIR_E2E_SHOTS` names a directory.
pub async fn shot(client: &Client, name: &str) {
    let Some(dir) = std::env::var_os("COMPTOIR_E2E_SHOTS") else {
        return;
    };
    let dir = PathBuf::from(dir);
    match client.screenshot().await {
        Ok(png) => {
            let _ = std::fs::create_dir_all(&dir);
            let path = dir.join(format!("{name}.png"));
            if let Err(e) = std::fs::write(&path, png) {
                eprintln!("warning: cannot write {}: {e}", path.display());
            }
        }
        Err(e) => eprintln!("warning: screenshot {name} failed: {e}"),
    }
}

/// The number of dossiers the customer card lists, from « Dossiers SAV (n) ».
pub async fn dossier_count(client: &Client) -> Option<usize> {
    let text = client
        .find(Locator::Css("#dossiers-title .count"))
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    text.trim_matches(|c| c == '(' || c == ')').parse().ok()
}

/// Waits until the card lists a number of dossiers other than `before`,
/// and returns it.
pub async fn dossier_count_after(client: &Client, before: usize) -> usize {
    let c = client.clone();
    eventually("the card lists the new dossier", move || {
        let c = c.clone();
        async move { dossier_count(&c).await.filter(|n| *n != before) }
    })
    .await
}

/// Sends keys to the page (Esc, F2, F3…), wherever the focus is.
pub async fn press(client: &Client, key: &str) {
    client
        .find(Locator::Css("body"))
        .await
        .expect("body")
        .send_keys(key)
        .await
        .expect("send keys");
}

/// F2 from any screen: the search screen, its field focused with the last
/// query selected (what is typed next replaces it); returns the field once
/// it has the focus.
pub async fn search_field_after_f2(client: &Client) -> Element {
    press(client, keys::F2).await;
    let input = element(client, "#search").await;
    let c = client.clone();
    eventually("the search field is back with the focus", move || {
        let c = c.clone();
        async move { focused_id(&c).await.filter(|id| id == "search") }
    })
    .await;
    input
}

/// A demo user (`comptoir_demo::showcase::DEMO_USERS`): login, PIN, and the
/// name every write records.
#[derive(Debug, Clone, Copy)]
pub struct DemoUser {
    pub login: &'static str,
    pub pin: &'static str,
    pub name: &'static str,
}

pub const JULIE: DemoUser = DemoUser {
    login: "julie.m",
    pin: "1234",
    name: "Julie Martin",
};
pub const KARIM: DemoUser = DemoUser {
    login: "karim.b",
    pin: "5678",
    name: "Karim Benali",
};
pub const SOPHIE: DemoUser = DemoUser {
    login: "sophie.r",
    pin: "4826",
    name: "Sophie Roux",
};

/// Types a login and a PIN in the sign-in form on screen (the sign-in
/// screen, or « Changer d'utilisateur ») and presses Enter.
pub async fn type_sign_in(client: &Client, login: &str, pin: &str) {
    let field = element(client, "#signin-login").await;
    fill(&field, login).await;
    let code = element(client, "#signin-pin").await;
    code.send_keys(pin).await.expect("type the PIN");
    code.send_keys(keys::ENTER).await.expect("enter");
}

/// Signs `user` in with the keyboard and waits for the top bar to name them.
pub async fn sign_in(client: &Client, user: DemoUser) {
    type_sign_in(client, user.login, user.pin).await;
    text_containing(client, "#session-name", &[user.name]).await;
}

/// Calls a command of the app from the page, as the UI would (or as a
/// script injected into it could): the command's answer, or its
/// `{code, message}` error.
pub async fn invoke(
    client: &Client,
    command: &str,
    args: serde_json::Value,
) -> Result<serde_json::Value, serde_json::Value> {
    let answer = client
        .execute_async(
            "const [command, args, done] = arguments;
             window.__TAURI_INTERNALS__.invoke(command, args).then(
                 (ok) => done({ ok: ok === undefined ? null : ok }),
                 (err) => done({ err }))",
            vec![command.into(), args],
        )
        .await
        .expect("the script runs");
    match answer.get("err") {
        Some(err) => Err(err.clone()),
        None => Ok(answer.get("ok").cloned().unwrap_or_default()),
    }
}
