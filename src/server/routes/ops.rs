//! Health, readiness, the loaded models, metrics, reload and the OpenAPI document.

use crate::server::error::ErrorBody;
use crate::server::{ApiError, AppState, openapi};
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Serialize;
use serde_json::{Value, json};
use std::sync::Arc;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Status {
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub models: Option<usize>,
}

/// Alive (the process answers).
#[utoipa::path(get, path = "/healthz", tag = "ops", responses((status = 200, body = Status)))]
pub async fn healthz() -> Json<Status> {
    Json(Status {
        status: "ok".into(),
        models: None,
    })
}

/// Ready: models are loaded.
#[utoipa::path(get, path = "/readyz", tag = "ops",
    responses((status = 200, body = Status), (status = 503, body = ErrorBody)))]
pub async fn readyz(State(s): State<Arc<AppState>>) -> Result<Json<Status>, ApiError> {
    let n = s.screener.load().models.models.len();
    if n == 0 {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            "no models loaded",
        ));
    }
    Ok(Json(Status {
        status: "ready".into(),
        models: Some(n),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct ModelsResponse {
    /// The tool's version and the commit it was built from, as the batch records'
    /// `tool_version` gives it.
    pub tool: String,
    /// The inference backend (tract or onnxruntime) and why it was chosen.
    #[schema(value_type = Object)]
    pub backend: Value,
    /// Each model's manifest: id, channel, protocol, checksum, thresholds, training, evaluation.
    #[schema(value_type = Vec<Object>)]
    pub models: Vec<Value>,
}

/// The loaded models with their manifests.
#[utoipa::path(get, path = "/v1/models", tag = "models", responses((status = 200, body = ModelsResponse)))]
pub async fn models(State(s): State<Arc<AppState>>) -> Json<ModelsResponse> {
    let screener = s.screener.load();
    let models = screener
        .models
        .models
        .iter()
        .map(|m| serde_json::to_value(&m.manifest).unwrap_or(Value::Null))
        .collect();
    Json(ModelsResponse {
        tool: crate::batch::record::tool_version(),
        backend: json!(crate::model::backend::current()),
        models,
    })
}

/// Prometheus metrics (text exposition format).
#[utoipa::path(get, path = "/metrics", tag = "ops",
    responses((status = 200, content_type = "text/plain; version=0.0.4", body = String)))]
pub async fn metrics(State(s): State<Arc<AppState>>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        s.metrics.render(),
    )
}

#[derive(Serialize, ToSchema)]
pub struct ReloadResponse {
    pub status: String,
    pub models: Vec<String>,
}

/// Load the models again from the model folder; a set that fails to load or verify leaves the
/// old one serving (500 with the reason).
#[utoipa::path(post, path = "/admin/reload", tag = "ops",
    responses((status = 200, body = ReloadResponse), (status = 500, body = ErrorBody)))]
pub async fn reload(State(s): State<Arc<AppState>>) -> Result<Json<ReloadResponse>, ApiError> {
    let st = s.clone();
    let ids = tokio::task::spawn_blocking(move || st.reload())
        .await
        .map_err(|e| ApiError::internal(format!("reload task failed: {e}")))?
        .map_err(|e| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "reload_failed",
                format!("{e}; the previous models are still serving"),
            )
        })?;
    Ok(Json(ReloadResponse {
        status: "reloaded".into(),
        models: ids,
    }))
}

/// This document.
#[utoipa::path(get, path = "/openapi.json", tag = "ops", responses((status = 200, body = Object)))]
pub async fn openapi_json() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        openapi::document_json(),
    )
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this route does not take that method (see /openapi.json)",
    )
}

pub async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such route")
}
