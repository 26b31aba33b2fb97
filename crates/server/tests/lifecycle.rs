//! Graceful shutdown, HTTPS, and the loopback rule for plain HTTP.
#![allow(clippy::unwrap_used)]

mod common;

use std::process::Command;
use std::time::Duration;

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_the_request_in_flight() {
    let db = Db::sqlite().await;
    let storage = db.storage().await;
    let srv = serve(storage, test_settings()).await;
    let addr = srv.addr;

    // A request whose body is still arriving when the shutdown starts.
    let body = br#"{"code": "AAAA-BBBB-CCCC", "device_name": "Lent"}"#;
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /v1/enrol HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(&body[..10]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    let stopping = tokio::spawn(srv.shutdown());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!stopping.is_finished(), "waits for the request in flight");
    // New connections are no longer accepted.
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err() || {
            // Some kernels accept into the backlog; then the server closes it unanswered.
            let mut c = tokio::net::TcpStream::connect(addr).await.unwrap();
            let _ = c
                .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                .await;
            let mut buf = Vec::new();
            let _ = tokio::time::timeout(Duration::from_secs(2), c.read_to_end(&mut buf)).await;
            buf.is_empty()
        }
    );

    s.write_all(&body[10..]).await.unwrap();
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).await.unwrap();
    let resp = String::from_utf8_lossy(&resp);
    assert!(resp.starts_with("HTTP/1.1 401"), "answered: {resp}");
    assert!(resp.contains("enrol_code_unknown"), "{resp}");
    stopping.await.unwrap().unwrap();
}

#[tokio::test]
async fn plain_http_only_on_loopback() {
    let db = Db::sqlite().await;
    let storage = db.storage().await;
    let listener = std::net::TcpListener::bind("0.0.0.0:0").unwrap();
    let err = comptoir_server::app::launch(storage, test_settings(), listener)
        .await
        .err()
        .expect("refused");
    assert_eq!(err.code(), "config_invalid");
    assert!(err.message_fr().contains("boucle locale"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_with_the_configured_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    let ok = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let db = Db::sqlite().await;
    let settings = comptoir_server::settings::Settings {
        tls_cert: Some(cert.clone()),
        tls_key: Some(key),
        ..test_settings()
    };
    // TLS may listen on any address; loopback is enough for the test.
    let srv = serve(db.storage().await, settings).await;
    assert!(srv.url().starts_with("https://"));
    let url = format!("https://127.0.0.1:{}/health", srv.addr.port());
    let out = tokio::task::spawn_blocking(move || {
        Command::new("curl")
            .args(["-s", "--cacert"])
            .arg(&cert)
            .arg(&url)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let body = String::from_utf8_lossy(&out.stdout);
    assert!(
        body.contains("\"status\":\"ok\""),
        "over TLS: {body} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Plain HTTP on the TLS port gets no answer.
    let plain = http_client()
        .get(format!("http://127.0.0.1:{}/health", srv.addr.port()))
        .send()
        .await;
    assert!(plain.is_err() || !plain.unwrap().status().is_success());
    srv.shutdown().await.unwrap();
}

#[tokio::test]
async fn missing_certificate_is_a_tls_error() {
    let db = Db::sqlite().await;
    let settings = comptoir_server::settings::Settings {
        tls_cert: Some("/nonexistent/cert.pem".into()),
        tls_key: Some("/nonexistent/key.pem".into()),
        ..test_settings()
    };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let err = comptoir_server::app::launch(db.storage().await, settings, listener)
        .await
        .err()
        .expect("refused");
    assert_eq!(err.code(), "tls_invalid");
}
