//! The HTTP service: the same screening core as `screen`, behind axum.
//!
//! - `routes/`: the handlers, each annotated for the OpenAPI document (`openapi.rs`), which is
//!   generated from the same registrations that build the router, so the two cannot disagree.
//! - `batcher.rs`: concurrent requests are coalesced into model batches on a dedicated thread;
//!   CPU work never runs on the async executor.
//! - `metrics.rs`, `auth.rs`, `reload.rs`, `page.rs`, `limits.rs`: Prometheus metrics (one
//!   middleware for every route), optional API keys, hot reload, the embedded web page, the body
//!   and time limits.
//!
//! Manners: a body limit (413), a request deadline (504), an in-flight bound that answers 503
//! with Retry-After instead of queueing without bound, a request id on every request and its
//! log span, and graceful shutdown on SIGTERM/SIGINT that lets in-flight requests finish;
//! `listen.rs`: a header/idle timeout, a cap on open connections (503 past it) and on requests
//! per kept-alive connection.

mod auth;
mod batcher;
mod error;
mod limits;
mod listen;
mod metrics;
mod offload;
mod openapi;
mod page;
mod reload;
mod routes;

pub use auth::ApiKeys;
pub use batcher::BatchConfig;
pub use error::ApiError;
pub use listen::ConnConfig;
pub use reload::Loader;

use crate::screen::Screener;
use arc_swap::ArcSwap;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::Request;
use batcher::Batcher;
use metrics::Metrics;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub addr: SocketAddr,
    /// Largest request body, bytes (413 beyond).
    pub max_body_bytes: usize,
    /// Most stones in one batch or parcel request (413 beyond).
    pub max_stones: usize,
    /// Most spectra in one stone (413 beyond).
    pub max_spectra_per_stone: usize,
    /// Requests screened at once; more get 503 with Retry-After.
    pub max_in_flight: usize,
    pub request_timeout: Duration,
    pub batch: BatchConfig,
    /// Header/idle timeout, connection and keep-alive caps, shutdown grace.
    pub conn: ConnConfig,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            addr: ([127, 0, 0, 1], 8080).into(),
            max_body_bytes: 64 * 1024 * 1024,
            max_stones: 1000,
            max_spectra_per_stone: 16,
            max_in_flight: 64,
            request_timeout: Duration::from_secs(30),
            batch: BatchConfig::default(),
            conn: ConnConfig::default(),
        }
    }
}

pub struct AppState {
    /// The models serving now; a reload swaps in a whole new set.
    pub screener: Arc<ArcSwap<Screener>>,
    pub config: ServerConfig,
    pub permits: Semaphore,
    pub metrics: Arc<Metrics>,
    pub keys: Option<Arc<ApiKeys>>,
    loader: Option<Loader>,
    batcher: Batcher,
}

impl AppState {
    /// `loader` builds the screener again for a reload (None: reload is refused).
    pub fn new(
        screener: Screener,
        config: ServerConfig,
        keys: Option<ApiKeys>,
        loader: Option<Loader>,
    ) -> Arc<AppState> {
        let screener = Arc::new(ArcSwap::from_pointee(screener));
        let metrics = Arc::new(Metrics::new());
        let batcher = Batcher::start(screener.clone(), metrics.clone(), config.batch);
        Arc::new(AppState {
            screener,
            permits: Semaphore::new(config.max_in_flight),
            config,
            metrics,
            keys: keys.map(Arc::new),
            loader,
            batcher,
        })
    }
}

/// The router with every layer.
pub fn router(state: Arc<AppState>) -> Router {
    let limit = state.config.max_body_bytes;
    let timeout = state.config.request_timeout;
    let app = openapi::routes(&state);
    app.fallback(routes::ops::not_found)
        .method_not_allowed_fallback(routes::ops::method_not_allowed)
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn_with_state(
            limit,
            limits::whole_body,
        ))
        .layer(axum::middleware::from_fn_with_state(
            limit,
            limits::announced_length,
        ))
        .layer(axum::middleware::from_fn_with_state(
            timeout,
            limits::time_limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.metrics.clone(),
            metrics::record,
        ))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<_>| {
                    let id = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!("request", id, method = %req.method(), path = req.uri().path())
                })
                .on_request(())
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// Resolves on SIGTERM or SIGINT.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// Serve until SIGTERM/SIGINT; in-flight requests finish first. SIGHUP reloads the models.
pub async fn serve(state: Arc<AppState>) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(state.config.addr).await?;
    // Tests and orchestrators read the bound address (the port may be 0 = any).
    eprintln!("listening on {}", listener.local_addr()?);
    tokio::spawn(reload::on_sighup(state.clone()));
    let conn = state.config.conn;
    listen::serve(listener, router(state), conn, shutdown_signal()).await
}
