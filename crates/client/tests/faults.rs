//! A flaky link between the counter and the server, made by a TCP proxy in
//! this test: the connection cut after the server has committed and before
//! the counter reads the answer, and reset in the middle of the answer's
//! body, on push, on the first load (bootstrap) and on pull. Nothing is
//! lost, nothing is counted twice.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed run

mod support;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

use chrono::Utc;
use comptoir_client::sync_once;
use comptoir_server::settings::Settings;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Every byte both ways.
const PASS: u8 = 0;
/// The request reaches the server; once its answer starts, the
/// connection is closed without a byte of it reaching the counter.
const CUT_BEFORE_ANSWER: u8 = 1;
/// Half of the answer reaches the counter, then the connection is reset.
const RESET_MID_BODY: u8 = 2;

async fn relay(client: TcpStream, upstream: SocketAddr, mode: u8) {
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    if mode == PASS {
        let (mut a, mut b) = (client, server);
        let _ = tokio::io::copy_bidirectional(&mut a, &mut b).await;
        return;
    }
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let up = tokio::spawn(async move {
        let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
    });
    // The whole answer (the server has committed before it answers).
    let mut answer = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        match tokio::time::timeout(
            std::time::Duration::from_millis(300),
            server_read.read(&mut buf),
        )
        .await
        {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => answer.extend_from_slice(&buf[..n]),
            // Keep-alive: the answer is complete once the server is quiet.
            Err(_) if !answer.is_empty() => break,
            Err(_) => {}
        }
    }
    if mode == RESET_MID_BODY {
        let _ = client_write.write_all(&answer[..answer.len() / 2]).await;
        let _ = client_write.flush().await;
    }
    up.abort();
    // Dropping both halves closes the counter's connection.
}

async fn proxy(upstream: SocketAddr, mode: Arc<AtomicU8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((conn, _)) = listener.accept().await {
            let m = mode.load(Ordering::SeqCst);
            tokio::spawn(relay(conn, upstream, m));
        }
    });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_or_reset_link_loses_nothing_and_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (storage, server) = support::server(dir.path(), "server", Settings::default()).await;
    let upstream = server.addr;
    let mode = Arc::new(AtomicU8::new(PASS));
    let url = proxy(upstream, Arc::clone(&mode)).await;

    let lyon = support::counter(dir.path(), "LYO1", 60).await;
    let paris = support::counter(dir.path(), "PAR1", 60).await;
    support::enrolled(&*storage, &url, &lyon, "LYO1").await;
    support::enrolled(&*storage, &url, &paris, "PAR1").await;
    let dossier = lyon
        .dossier_by_number(comptoir_demo::showcase::STORE_DOSSIER)
        .await
        .unwrap();
    const N: usize = 30;
    for i in 0..N {
        lyon.add_note(dossier, "Julie M.", &format!("Coupure {i:02}"), Utc::now())
            .await
            .unwrap();
    }

    // Push: the server commits, the counter never hears of it.
    mode.store(CUT_BEFORE_ANSWER, Ordering::SeqCst);
    let e = sync_once(&lyon, &mut |_| {}).await.unwrap_err();
    assert_eq!(e.code(), "offline", "{e}");
    assert_eq!(
        lyon.outbox_len().await.unwrap(),
        N as u64,
        "kept until acknowledged"
    );
    // Again, the answer reset half-way.
    mode.store(RESET_MID_BODY, Ordering::SeqCst);
    let e = sync_once(&lyon, &mut |_| {}).await.unwrap_err();
    assert!(matches!(e.code(), "offline" | "server_protocol"), "{e}");
    assert_eq!(lyon.outbox_len().await.unwrap(), N as u64);
    // The link is good again: the server had them all, once.
    mode.store(PASS, Ordering::SeqCst);
    let r = sync_once(&lyon, &mut |_| {}).await.unwrap();
    assert_eq!((r.pushed, r.duplicates, r.outbox_left), (0, N, 0), "{r:?}");

    // Paris's first load (its bootstrap stream) is cut before a byte, then
    // reset half-way, then received. A cut stream keeps the changes it
    // applied, each with its cursor: what Paris holds is exactly what it
    // counts as received, never a cursor beyond its changes.
    for m in [CUT_BEFORE_ANSWER, RESET_MID_BODY] {
        mode.store(m, Ordering::SeqCst);
        assert!(sync_once(&paris, &mut |_| {}).await.is_err());
        let received = paris.sync_status().await.unwrap().received;
        let notes = support::notes_of(&paris, dossier, "Coupure").await;
        assert_eq!(
            notes.len() as u64,
            received,
            "no cursor without its changes"
        );
        assert!(received < N as u64, "the stream was cut: {received}");
        assert!(!paris.sync_link().await.unwrap().unwrap().bootstrapped);
    }
    mode.store(PASS, Ordering::SeqCst);
    sync_once(&paris, &mut |_| {}).await.unwrap();
    assert!(paris.sync_link().await.unwrap().unwrap().bootstrapped);
    assert_eq!(
        paris.sync_status().await.unwrap().received,
        N as u64,
        "each change once"
    );
    let mut at_paris = support::notes_of(&paris, dossier, "Coupure").await;
    at_paris.sort();
    let want: Vec<String> = (0..N).map(|i| format!("Coupure {i:02}")).collect();
    assert_eq!(at_paris, want, "every note, once");
    let mut at_lyon = support::notes_of(&lyon, dossier, "Coupure").await;
    at_lyon.sort();
    assert_eq!(at_lyon, want, "its own changes come back without doubling");

    // Then Paris follows the feed with pulls: a pulled page is applied
    // whole with its cursor, or not at all.
    for i in N..N + 10 {
        lyon.add_note(dossier, "Julie M.", &format!("Coupure {i:02}"), Utc::now())
            .await
            .unwrap();
    }
    sync_once(&lyon, &mut |_| {}).await.unwrap();
    let before = paris.sync_link().await.unwrap().unwrap().cursor;
    for m in [CUT_BEFORE_ANSWER, RESET_MID_BODY] {
        mode.store(m, Ordering::SeqCst);
        assert!(sync_once(&paris, &mut |_| {}).await.is_err());
        assert_eq!(
            paris.sync_link().await.unwrap().unwrap().cursor,
            before,
            "no cursor without its page"
        );
        assert_eq!(support::notes_of(&paris, dossier, "Coupure").await.len(), N);
    }
    mode.store(PASS, Ordering::SeqCst);
    sync_once(&paris, &mut |_| {}).await.unwrap();
    assert_eq!(
        support::notes_of(&paris, dossier, "Coupure").await.len(),
        N + 10
    );
    assert!(paris.verify_dossiers().await.unwrap().is_empty());
    lyon.verify_integrity().await.unwrap();
    paris.verify_integrity().await.unwrap();
    server.shutdown().await.unwrap();
}
