//! The central server's HTTP API as the counter calls it. TLS through
//! rustls (ring provider, the server's choice too); plain HTTP is only for
//! a server on this machine (the demo, the tests).

use std::time::Duration;

use comptoir_sync::{
    ApiErrorBody, AuditPushRequest, AuditPushResponse, AuditRecord, BootstrapHeader, BootstrapLine,
    ChangeEnvelope, EnrolRequest, EnrolResponse, PullResponse, PushRequest, PushResponse,
};
use serde::de::DeserializeOwned;

use crate::{ClientError, Result};

/// Connecting gives up after this long: the counter is then offline.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// A whole request (a pull page included) gives up after this long.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// A bootstrap stream (a whole chain) may take this long in all…
const BOOTSTRAP_TIMEOUT: Duration = Duration::from_secs(12 * 3600);
/// … but not this long without a byte.
const STREAM_STALL: Duration = Duration::from_secs(60);

/// The server at one address, with this counter's token once enrolled.
#[derive(Clone, Debug)]
pub struct ServerApi {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

/// Checks an address: `https://…`, or `http://` to a loopback host.
pub fn check_url(url: &str) -> Result<String> {
    let base = url.trim().trim_end_matches('/').to_owned();
    let bad = || ClientError::BadUrl(url.chars().take(200).collect());
    let rest = if let Some(r) = base.strip_prefix("https://") {
        r
    } else if let Some(r) = base.strip_prefix("http://") {
        let loopback = ["127.0.0.1", "localhost", "[::1]"].iter().any(|h| {
            r.strip_prefix(h)
                .is_some_and(|after| after.is_empty() || after.starts_with([':', '/']))
        });
        if !loopback {
            return Err(bad());
        }
        r
    } else {
        return Err(bad());
    };
    if rest.is_empty() || rest.contains(char::is_whitespace) {
        return Err(bad());
    }
    Ok(base)
}

impl ServerApi {
    pub fn new(url: &str, token: Option<String>) -> Result<ServerApi> {
        // reqwest is built without a crypto provider of its own: the
        // process-wide one is ring (already installed is fine).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let base = check_url(url)?;
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("comptoir/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError::Protocol(e.to_string()))?;
        Ok(ServerApi { http, base, token })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let rb = self.http.request(method, format!("{}{path}", self.base));
        match &self.token {
            Some(t) => rb.bearer_auth(t),
            None => rb,
        }
    }

    async fn send<T: DeserializeOwned>(&self, rb: reqwest::RequestBuilder) -> Result<T> {
        let r = rb.send().await.map_err(|e| offline(&e))?;
        let status = r.status();
        let bytes = r.bytes().await.map_err(|e| offline(&e))?;
        if status.is_success() {
            return serde_json::from_slice(&bytes)
                .map_err(|e| ClientError::Protocol(format!("{status}: {e}")));
        }
        Err(refusal(status, &bytes))
    }

    /// `POST /v1/enrol`: the one-time code for the device credential.
    pub async fn enrol(&self, code: &str, device_name: &str) -> Result<EnrolResponse> {
        let body = EnrolRequest {
            code: code.trim().to_owned(),
            device_name: device_name.to_owned(),
        };
        self.send(self.request(reqwest::Method::POST, "/v1/enrol").json(&body))
            .await
    }

    /// `POST /v1/push`: one result per change, in order.
    pub async fn push(&self, changes: &[ChangeEnvelope]) -> Result<PushResponse> {
        let body = PushRequest {
            changes: changes.to_vec(),
        };
        self.send(self.request(reqwest::Method::POST, "/v1/push").json(&body))
            .await
    }

    /// `POST /v1/audit`: entries of this counter's audit log, one result
    /// per entry, in order.
    pub async fn push_audit(
        &self,
        store_code: &str,
        entries: &[AuditRecord],
    ) -> Result<AuditPushResponse> {
        let body = AuditPushRequest {
            store_code: store_code.to_owned(),
            entries: entries.to_vec(),
        };
        self.send(self.request(reqwest::Method::POST, "/v1/audit").json(&body))
            .await
    }

    /// `GET /v1/bootstrap`: the feed after `cursor` as one stream (its
    /// first line, the header, is read before this returns).
    pub async fn bootstrap(&self, cursor: &str) -> Result<(BootstrapHeader, BootstrapStream)> {
        let mut rb = self
            .request(reqwest::Method::GET, "/v1/bootstrap")
            .timeout(BOOTSTRAP_TIMEOUT);
        if !cursor.is_empty() {
            rb = rb.query(&[("after", cursor)]);
        }
        let r = rb.send().await.map_err(|e| offline(&e))?;
        let status = r.status();
        if !status.is_success() {
            let bytes = r.bytes().await.map_err(|e| offline(&e))?;
            return Err(refusal(status, &bytes));
        }
        let mut stream = BootstrapStream {
            response: r,
            buffer: Vec::with_capacity(1 << 20),
            consumed: 0,
            finished: false,
        };
        match stream.next_line().await? {
            Some(BootstrapLine::Header(h)) => Ok((h, stream)),
            Some(_) => Err(ClientError::Protocol(
                "bootstrap without its header".to_owned(),
            )),
            None => Err(ClientError::Offline(
                "bootstrap stream cut before its header".to_owned(),
            )),
        }
    }

    /// `GET /v1/pull`: the feed after `cursor` (from the start when empty).
    pub async fn pull(&self, cursor: &str, limit: usize) -> Result<PullResponse> {
        let mut rb = self
            .request(reqwest::Method::GET, "/v1/pull")
            .query(&[("limit", limit.to_string())]);
        if !cursor.is_empty() {
            rb = rb.query(&[("after", cursor)]);
        }
        self.send(rb).await
    }
}

/// An error answer: the server's `{code, message}`, or what it sent.
fn refusal(status: reqwest::StatusCode, bytes: &[u8]) -> ClientError {
    match serde_json::from_slice::<ApiErrorBody>(bytes) {
        Ok(b) => ClientError::Server {
            status: status.as_u16(),
            code: b.code,
            message: b.message,
        },
        Err(_) => ClientError::Protocol(format!(
            "{status}: {}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(200)])
        )),
    }
}

/// A bootstrap stream being received: its JSON lines one at a time, read
/// from the (gzip-decompressed) body as it arrives.
pub struct BootstrapStream {
    response: reqwest::Response,
    buffer: Vec<u8>,
    /// Bytes of `buffer` already handed out as lines.
    consumed: usize,
    finished: bool,
}

impl BootstrapStream {
    /// The next line; `None` once the body has ended (whether it ended
    /// with its end line is the caller's to check). A link silent for
    /// [`STREAM_STALL`] is offline.
    pub async fn next_line(&mut self) -> Result<Option<BootstrapLine>> {
        loop {
            if let Some(at) = self.buffer[self.consumed..]
                .iter()
                .position(|b| *b == b'\n')
            {
                let line = &self.buffer[self.consumed..self.consumed + at];
                self.consumed += at + 1;
                return serde_json::from_slice(line)
                    .map(Some)
                    .map_err(|e| ClientError::Protocol(format!("bootstrap line: {e}")));
            }
            if self.finished {
                return Ok(None);
            }
            self.buffer.drain(..self.consumed);
            self.consumed = 0;
            let chunk = tokio::time::timeout(STREAM_STALL, self.response.chunk())
                .await
                .map_err(|_| ClientError::Offline("bootstrap stream stalled".to_owned()))?
                .map_err(|e| offline(&e))?;
            match chunk {
                Some(bytes) => self.buffer.extend_from_slice(&bytes),
                None => self.finished = true,
            }
        }
    }
}

/// A transport failure: the counter is offline (the detail is for the log).
fn offline(e: &reqwest::Error) -> ClientError {
    let mut detail = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        detail.push_str(": ");
        detail.push_str(&s.to_string());
        source = s.source();
    }
    ClientError::Offline(detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(
            check_url("https://sav.example.fr/").ok().as_deref(),
            Some("https://sav.example.fr")
        );
        assert!(check_url("http://127.0.0.1:8700").is_ok());
        assert!(check_url("http://localhost:8700").is_ok());
        assert!(check_url("http://[::1]:8700").is_ok());
        for bad in [
            "http://sav.example.fr",
            "ftp://x",
            "sav.example.fr",
            "https://",
            "https://a b",
        ] {
            assert_eq!(
                check_url(bad).err().map(|e| e.code()),
                Some("server_url_invalid"),
                "{bad}"
            );
        }
    }
}
