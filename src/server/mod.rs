//! The HTTP service: the same screening core as `screen`, behind axum. CPU work runs on the
//! blocking pool (and rayon), never on the async executor; a semaphore bounds the work in
//! flight and answers 503 with Retry-After instead of queueing without bound; shutdown on
//! SIGTERM/SIGINT lets in-flight requests finish.

mod error;
mod routes;

pub use error::ApiError;

use crate::screen::Screener;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

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
        }
    }
}

pub struct AppState {
    pub screener: Screener,
    pub config: ServerConfig,
    pub permits: Semaphore,
}

pub fn router(state: Arc<AppState>) -> Router {
    let limit = state.config.max_body_bytes;
    let timeout = state.config.request_timeout;
    Router::new()
        .route("/v1/screen", post(routes::screen_one))
        .route("/v1/screen/batch", post(routes::screen_batch))
        .route("/v1/parcels", post(routes::parcel))
        .route("/v1/sampling-plan", get(routes::sampling_plan))
        .route("/v1/models", get(routes::models))
        .route("/healthz", get(routes::healthz))
        .route("/readyz", get(routes::readyz))
        .fallback(routes::not_found)
        .layer(DefaultBodyLimit::max(limit))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
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

/// Serve until SIGTERM/SIGINT; in-flight requests finish first.
pub async fn serve(state: Arc<AppState>) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(state.config.addr).await?;
    // Tests and orchestrators read the bound address (the port may be 0 = any).
    eprintln!("listening on {}", listener.local_addr()?);
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
}
