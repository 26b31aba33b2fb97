//! Launching the server on a listener: plain HTTP on a loopback address, or
//! HTTPS (rustls) with the certificate and key of the settings. Tests launch
//! it in-process on port 0 (`launch` with a bound `TcpListener`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum_server::tls_rustls::RustlsConfig;
use axum_server::Handle;
use tokio::task::JoinHandle;

use crate::api::{router, AppState};
use crate::error::{ApiError, Result};
use crate::settings::Settings;
use crate::storage::Storage;

/// A running server: its address, and the handle that stops it.
pub struct Running {
    pub addr: SocketAddr,
    pub tls: bool,
    handle: Handle,
    task: JoinHandle<std::io::Result<()>>,
    grace: Duration,
}

impl Running {
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// Stops accepting connections, lets in-flight requests finish (up to
    /// the grace period), and waits for the server to end.
    pub async fn shutdown(self) -> Result<()> {
        self.handle.graceful_shutdown(Some(self.grace));
        self.wait().await
    }

    /// Waits until the server ends (after `shutdown_handle().graceful_shutdown`).
    pub async fn wait(self) -> Result<()> {
        match self.task.await {
            Ok(r) => r.map_err(ApiError::from),
            Err(e) => Err(ApiError::Io(std::io::Error::other(e))),
        }
    }

    pub fn shutdown_handle(&self) -> (Handle, Duration) {
        (self.handle.clone(), self.grace)
    }
}

/// Serves on an already bound listener (port 0 in tests).
pub async fn launch(
    storage: Arc<dyn Storage>,
    settings: Settings,
    listener: std::net::TcpListener,
) -> Result<Running> {
    let addr = listener.local_addr()?;
    let tls = match (&settings.tls_cert, &settings.tls_key) {
        (Some(cert), Some(key)) => {
            // One crypto provider for the process (ring: no C build tools
            // beyond a compiler); a second install is a no-op.
            let _ = rustls::crypto::ring::default_provider().install_default();
            Some(
                RustlsConfig::from_pem_file(cert, key)
                    .await
                    .map_err(|e| ApiError::Tls(e.to_string()))?,
            )
        }
        _ => None,
    };
    if tls.is_none() && !addr.ip().is_loopback() {
        return Err(ApiError::Config(format!(
            "sans certificat TLS, le serveur n'écoute que sur la boucle locale (127.0.0.1 ou ::1), pas sur {addr}"
        )));
    }
    listener.set_nonblocking(true)?;
    let grace = Duration::from_secs(settings.shutdown_grace_secs);
    let app = router(AppState {
        storage,
        settings: Arc::new(settings),
    })
    .into_make_service();
    let handle = Handle::new();
    let is_tls = tls.is_some();
    let task = match tls {
        Some(cfg) => {
            let server = axum_server::from_tcp_rustls(listener, cfg).handle(handle.clone());
            tokio::spawn(async move { server.serve(app).await })
        }
        None => {
            let server = axum_server::from_tcp(listener).handle(handle.clone());
            tokio::spawn(async move { server.serve(app).await })
        }
    };
    tracing::info!(%addr, tls = is_tls, "listening");
    Ok(Running {
        addr,
        tls: is_tls,
        handle,
        task,
        grace,
    })
}

/// Resolves at SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
