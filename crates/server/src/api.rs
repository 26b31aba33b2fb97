//! The HTTP API (axum): routes, the JSON extractor that turns every
//! malformed or oversized body into an [`ApiError`], and the OpenAPI
//! description served at `/openapi.json` (utoipa, from these types).

use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, FromRequest, Query, Request, State};
use axum::http::{HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use comptoir_sync::{
    ApiErrorBody, AuditOutcome, AuditPushRequest, AuditPushResponse, AuditRecord, AuditResult,
    BootstrapEnd, BootstrapHeader, BootstrapLine, ChangeEnvelope, EnrolRequest, EnrolResponse,
    FeedChange, PullResponse, PushOutcome, PushRequest, PushResponse, PushResult,
};
use serde::{Deserialize, Serialize};
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use uuid::Uuid;

use crate::auth::{self, Device};
use crate::error::{ApiError, Result};
use crate::import::{self, ImportReport, ImportTotals, LineOutcome, ReportLine, Source};
use crate::online::{
    self, AddOnlineEvent, OnlineChannel, OnlineDossierOpened, OnlineEventAdded, OnlineEventKind,
    OpenOnlineDossier,
};
use crate::settings::Settings;
use crate::storage::{Cursor, Inserted, NewChange, NewDevice, Storage};
use crate::validate;

#[derive(Clone)]
pub struct AppState {
    pub storage: Arc<dyn Storage>,
    pub settings: Arc<Settings>,
}

/// `Json<T>` whose every rejection is one of ours (`bad_json`,
/// `body_too_large`), in JSON and in French.
pub struct ApiJson<T>(pub T);

impl<T> FromRequest<AppState> for ApiJson<T>
where
    T: Send,
    Json<T>: FromRequest<AppState, Rejection = JsonRejection>,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::BytesRejection(r))
                if r.status() == StatusCode::PAYLOAD_TOO_LARGE =>
            {
                Err(ApiError::BodyTooLarge {
                    limit: state.settings.max_body_bytes,
                })
            }
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::BadJson(
                "en-tête Content-Type: application/json attendu".into(),
            )),
            Err(e) => Err(ApiError::BadJson(e.body_text())),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HealthBody {
    /// `ok`, or `migrations_pending` / `schema_unknown` (503).
    pub status: String,
    /// `sqlite` or `postgres`.
    pub backend: String,
    pub migrations_applied: Vec<i64>,
    pub migrations_expected: Vec<i64>,
}

/// Database reachable and migrations current: 200; otherwise 503.
#[utoipa::path(get, path = "/health", responses(
    (status = 200, body = HealthBody), (status = 503, body = HealthBody)))]
async fn health(State(st): State<AppState>) -> Response {
    match st.storage.schema_state().await {
        Ok(s) => {
            let current = s.current();
            let body = HealthBody {
                status: if current { "ok" } else { "migrations_pending" }.into(),
                backend: st.storage.backend().into(),
                migrations_applied: s.applied,
                migrations_expected: s.expected,
            };
            let code = if current {
                StatusCode::OK
            } else {
                StatusCode::SERVICE_UNAVAILABLE
            };
            (code, Json(body)).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "health: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(ApiErrorBody {
                    code: "database_unreachable".into(),
                    message: "La base de données du serveur ne répond pas.".into(),
                }),
            )
                .into_response()
        }
    }
}

/// Exchanges a one-time enrolment code for a device token.
#[utoipa::path(post, path = "/v1/enrol", request_body = EnrolRequest, responses(
    (status = 200, body = EnrolResponse),
    (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody)))]
async fn enrol(
    State(st): State<AppState>,
    ApiJson(req): ApiJson<EnrolRequest>,
) -> Result<Json<EnrolResponse>> {
    let name = req.device_name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::BadJson("device_name : 1 à 100 caractères".into()));
    }
    let token = auth::new_token();
    let device = st
        .storage
        .redeem_enrolment(
            &auth::hash_secret(&auth::normalize_enrol_code(&req.code)),
            NewDevice {
                id: Uuid::now_v7(),
                name: name.to_owned(),
                token_hash: auth::hash_secret(&token),
                now: Utc::now(),
            },
        )
        .await?;
    tracing::info!(device = %device.id, store = %device.store_code, "device enrolled");
    Ok(Json(EnrolResponse {
        device_id: device.id,
        store_code: device.store_code,
        token,
    }))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WhoAmI {
    pub device_id: Uuid,
    pub store_code: String,
    pub name: String,
}

/// The authenticated device.
#[utoipa::path(get, path = "/v1/whoami", security(("device_token" = [])), responses(
    (status = 200, body = WhoAmI), (status = 401, body = ApiErrorBody)))]
async fn whoami(Device(d): Device) -> Json<WhoAmI> {
    Json(WhoAmI {
        device_id: d.id,
        store_code: d.store_code,
        name: d.name,
    })
}

/// Pushes a batch of outbox changes; one result per change, in order. A
/// batch holding a change of another store is refused whole (403, nothing
/// stored); an unknown kind or an HLC far ahead rejects that change only.
#[utoipa::path(post, path = "/v1/push", request_body = PushRequest, security(("device_token" = [])),
    responses((status = 200, body = PushResponse),
        (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 413, body = ApiErrorBody)))]
async fn push(
    State(st): State<AppState>,
    Device(dev): Device,
    ApiJson(req): ApiJson<PushRequest>,
) -> Result<Json<PushResponse>> {
    let max = st.settings.max_batch;
    if req.changes.len() > max {
        return Err(ApiError::BatchTooLarge {
            len: req.changes.len(),
            max,
        });
    }
    if let Some(c) = req.changes.iter().find(|c| c.store_code != dev.store_code) {
        return Err(ApiError::ForeignStore {
            change: c.id,
            store: c.store_code.chars().take(20).collect(),
            device_store: dev.store_code,
        });
    }
    let now = Utc::now();
    let mut results: Vec<PushResult> = Vec::with_capacity(req.changes.len());
    let mut accepted: Vec<(usize, NewChange)> = Vec::new();
    for (i, c) in req.changes.into_iter().enumerate() {
        match validate::check_change(&c, now, st.settings.max_hlc_ahead_secs)
            .and_then(|scope| validate::check_counter_change(&c).map(|()| scope))
        {
            Ok(scope) => {
                results.push(PushResult {
                    id: c.id,
                    outcome: PushOutcome::Applied,
                    code: None,
                    reason: None,
                });
                accepted.push((
                    i,
                    NewChange {
                        envelope: c,
                        scope,
                        pushed_by: Some(dev.id),
                    },
                ));
            }
            Err(r) => results.push(PushResult {
                id: c.id,
                outcome: PushOutcome::Rejected,
                code: Some(r.code.to_owned()),
                reason: Some(r.reason),
            }),
        }
    }
    let (idx, batch): (Vec<usize>, Vec<NewChange>) = accepted.into_iter().unzip();
    let inserted = st.storage.insert_changes(&batch).await?;
    for (i, ins) in idx.into_iter().zip(inserted) {
        if ins == Inserted::Duplicate {
            results[i].outcome = PushOutcome::Duplicate;
        }
    }
    Ok(Json(PushResponse { results }))
}

/// Sends entries of this counter's audit log, in number order: each is
/// checked against the last one head office holds for this device and
/// stored once (the same entry again is `duplicate`). Entries of another
/// store are refused whole (403, nothing stored). They are head office's
/// record: never served to other counters.
#[utoipa::path(post, path = "/v1/audit", request_body = AuditPushRequest, security(("device_token" = [])),
    responses((status = 200, body = AuditPushResponse),
        (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 413, body = ApiErrorBody)))]
async fn push_audit(
    State(st): State<AppState>,
    Device(dev): Device,
    ApiJson(req): ApiJson<AuditPushRequest>,
) -> Result<Json<AuditPushResponse>> {
    let max = st.settings.max_batch;
    if req.entries.len() > max {
        return Err(ApiError::BatchTooLarge {
            len: req.entries.len(),
            max,
        });
    }
    if req.store_code != dev.store_code {
        return Err(ApiError::AuditForeignStore {
            store: req.store_code.chars().take(20).collect(),
            device_store: dev.store_code,
        });
    }
    let results =
        crate::audit::receive(st.storage.as_ref(), &dev.store_code, dev.id, &req.entries).await?;
    Ok(Json(AuditPushResponse { results }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PullParams {
    /// The cursor of the last change already applied (absent: from the
    /// start).
    pub after: Option<String>,
    /// At most this many changes (default 500, capped by `max_pull`).
    pub limit: Option<usize>,
}

/// The feed after a cursor: this device's store and the chain.
#[utoipa::path(get, path = "/v1/pull", params(PullParams), security(("device_token" = [])),
    responses((status = 200, body = PullResponse),
        (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody)))]
async fn pull(
    State(st): State<AppState>,
    Device(dev): Device,
    q: std::result::Result<Query<PullParams>, QueryRejection>,
) -> Result<Json<PullResponse>> {
    let Query(q) = q.map_err(|e| ApiError::BadQuery(e.body_text()))?;
    let after = cursor_after(q.after.as_deref())?;
    let limit = q.limit.unwrap_or(500);
    if limit == 0 {
        return Err(ApiError::BadQuery("limit doit être positif".into()));
    }
    let limit = limit.min(st.settings.max_pull);
    let rows = st.storage.feed(&dev.store_code, after, limit).await?;
    let more = rows.len() == limit;
    let cursor = rows.last().map_or(after, |r| r.cursor);
    Ok(Json(PullResponse {
        changes: rows
            .into_iter()
            .map(|r| FeedChange {
                cursor: r.cursor.to_string(),
                scope: r.scope.code().to_owned(),
                change: r.envelope,
            })
            .collect(),
        cursor: cursor.to_string(),
        more,
    }))
}

/// The `after` of a feed request: absent or empty is the start.
fn cursor_after(after: Option<&str>) -> Result<Cursor> {
    match after {
        None | Some("") => Ok(Cursor::default()),
        Some(s) => s.parse(),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BootstrapParams {
    /// The cursor of the last change already applied (absent: from the
    /// start; a counter resuming a cut bootstrap gives the last it stored).
    pub after: Option<String>,
}

/// A new counter's first load: the feed after a cursor as one streamed,
/// gzip-compressed body of JSON lines (a `header` with the total, one
/// `change` a line, an `end` with the cursor to pull from).
#[utoipa::path(get, path = "/v1/bootstrap", params(BootstrapParams), security(("device_token" = [])),
    responses((status = 200, body = BootstrapLine, content_type = "application/x-ndjson",
            description = "Lignes JSON : header, change…, end"),
        (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody)))]
async fn bootstrap(
    State(st): State<AppState>,
    Device(dev): Device,
    q: std::result::Result<Query<BootstrapParams>, QueryRejection>,
) -> Result<Response> {
    let Query(q) = q.map_err(|e| ApiError::BadQuery(e.body_text()))?;
    let after = cursor_after(q.after.as_deref())?;
    crate::bootstrap::stream(Arc::clone(&st.storage), dev.store_code, after).await
}

async fn import_body(
    st: &AppState,
    dev: &crate::storage::DeviceRow,
    body: std::result::Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<axum::body::Bytes> {
    if !dev.head_office {
        return Err(ApiError::HeadOfficeOnly);
    }
    body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::BodyTooLarge {
                limit: st.settings.max_import_bytes,
            }
        } else {
            ApiError::ImportFormat(r.body_text())
        }
    })
}

/// Imports a Shopify order export (CSV body). Head office's devices only.
#[utoipa::path(post, path = "/v1/import/shopify-csv", request_body(content = String, content_type = "text/csv", description = "L'export des commandes Shopify (CSV)"),
    security(("device_token" = [])),
    responses((status = 200, body = ImportReport), (status = 400, body = ApiErrorBody),
        (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 413, body = ApiErrorBody)))]
async fn import_shopify(
    State(st): State<AppState>,
    Device(dev): Device,
    body: std::result::Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<ImportReport>> {
    let bytes = import_body(&st, &dev, body).await?;
    Ok(Json(
        import::run(
            st.storage.as_ref(),
            Source::ShopifyCsv,
            &bytes,
            st.settings.import_options(),
        )
        .await?,
    ))
}

/// Imports WooCommerce REST v3 orders (a JSON array). Head office's devices only.
#[utoipa::path(post, path = "/v1/import/woocommerce-json", request_body(content = String, content_type = "application/json", description = "Un tableau JSON de commandes WooCommerce REST v3"),
    security(("device_token" = [])),
    responses((status = 200, body = ImportReport), (status = 400, body = ApiErrorBody),
        (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 413, body = ApiErrorBody)))]
async fn import_woocommerce(
    State(st): State<AppState>,
    Device(dev): Device,
    body: std::result::Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<ImportReport>> {
    let bytes = import_body(&st, &dev, body).await?;
    Ok(Json(
        import::run(
            st.storage.as_ref(),
            Source::WoocommerceJson,
            &bytes,
            st.settings.import_options(),
        )
        .await?,
    ))
}

/// Opens a dossier online (web shop) or by phone (customer service),
/// numbered by head office (`SAV-WEB-…`, `SAV-TEL-…`); it reaches every
/// counter through the feed. Head office's devices only.
#[utoipa::path(post, path = "/v1/dossiers", request_body = OpenOnlineDossier,
    security(("device_token" = [])),
    responses((status = 200, body = OnlineDossierOpened), (status = 400, body = ApiErrorBody),
        (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
async fn open_dossier(
    State(st): State<AppState>,
    Device(dev): Device,
    ApiJson(req): ApiJson<OpenOnlineDossier>,
) -> Result<Json<OnlineDossierOpened>> {
    Ok(Json(
        online::open(
            st.storage.as_ref(),
            &dev,
            req,
            Utc::now(),
            st.settings.max_hlc_ahead_secs,
        )
        .await?,
    ))
}

/// Adds a note or a message to a dossier head office knows. Head office's
/// devices only.
#[utoipa::path(post, path = "/v1/dossiers/{id}/events", request_body = AddOnlineEvent,
    params(("id" = Uuid, Path, description = "Le dossier")),
    security(("device_token" = [])),
    responses((status = 200, body = OnlineEventAdded), (status = 400, body = ApiErrorBody),
        (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
async fn add_dossier_event(
    State(st): State<AppState>,
    Device(dev): Device,
    path: std::result::Result<axum::extract::Path<Uuid>, axum::extract::rejection::PathRejection>,
    ApiJson(req): ApiJson<AddOnlineEvent>,
) -> Result<Json<OnlineEventAdded>> {
    let axum::extract::Path(id) = path.map_err(|e| ApiError::BadQuery(e.body_text()))?;
    Ok(Json(
        online::add_event(
            st.storage.as_ref(),
            &dev,
            id,
            req,
            Utc::now(),
            st.settings.max_hlc_ahead_secs,
        )
        .await?,
    ))
}

struct SecurityAddon;

impl Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "device_token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Comptoir — serveur central", description = "Enrôlement des postes, flux de synchronisation."),
    paths(health, enrol, whoami, push, push_audit, pull, bootstrap, import_shopify, import_woocommerce, open_dossier,
        add_dossier_event),
    components(schemas(ChangeEnvelope, ApiErrorBody, AuditPushRequest, AuditPushResponse,
        AuditRecord, AuditResult, AuditOutcome, EnrolRequest, EnrolResponse, PushRequest,
        PushResponse, PushResult, PushOutcome, PullResponse, FeedChange, BootstrapLine,
        BootstrapHeader, BootstrapEnd, HealthBody, WhoAmI,
        ImportReport, ImportTotals, ReportLine, LineOutcome, Source, OpenOnlineDossier,
        OnlineChannel, OnlineDossierOpened, AddOnlineEvent, OnlineEventKind, OnlineEventAdded)),
    modifiers(&SecurityAddon)
)]
pub struct ApiDoc;

async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// Runs the request on a task of its own and waits for it: when the client
/// goes away (a counter killed or cut off mid-push), hyper drops this
/// future, but the task goes on to its end, so a transaction is always
/// committed or rolled back by its own code, never abandoned half-way.
/// sqlx's `Pool::begin` is not cancel-safe on PostgreSQL (launchbadge /
/// transact-rs sqlx #2054, #4393: a future dropped during `BEGIN` puts
/// back in the pool a connection left inside a transaction, and the next
/// requests on it fail); a request that always finishes never hits that
/// window. The span goes with the task, for the logs.
async fn to_completion(req: Request, next: axum::middleware::Next) -> Response {
    use tracing::Instrument;
    let task = tokio::spawn(next.run(req).in_current_span());
    match task.await {
        Ok(response) => response,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => ApiError::Io(std::io::Error::other(e)).into_response(),
    }
}

/// The whole application: routes, body limit, request ids and tracing.
pub fn router(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let limit = state.settings.max_body_bytes;
    Router::new()
        .route("/health", get(health))
        .route("/openapi.json", get(openapi_json))
        .route("/v1/enrol", post(enrol))
        .route("/v1/whoami", get(whoami))
        .route("/v1/push", post(push))
        .route("/v1/audit", post(push_audit))
        .route("/v1/pull", get(pull))
        .route(
            "/v1/bootstrap",
            // gzip at its fastest level: the stream is JSON lines, which
            // compress well at any level; the default level cost the server
            // more CPU than reading its feed (a bootstrap is CPU-bound on
            // both ends, the link is rarely what bounds it).
            get(bootstrap).layer(
                CompressionLayer::new()
                    .gzip(true)
                    .quality(tower_http::CompressionLevel::Fastest),
            ),
        )
        .route("/v1/dossiers", post(open_dossier))
        .route("/v1/dossiers/{id}/events", post(add_dossier_event))
        .route(
            "/v1/import/shopify-csv",
            post(import_shopify).layer(DefaultBodyLimit::max(state.settings.max_import_bytes)),
        )
        .route(
            "/v1/import/woocommerce-json",
            post(import_woocommerce).layer(DefaultBodyLimit::max(state.settings.max_import_bytes)),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(to_completion))
        .layer(DefaultBodyLimit::max(limit))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request| {
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
            })
            .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}
