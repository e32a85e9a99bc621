//! CPU work off the async worker threads: request bodies are decoded, files parsed, plans and
//! parcel statistics computed and plots drawn on tokio's blocking pool, so that `/healthz` and
//! every other request keep being answered whatever one request costs. The request deadline
//! (`limits::time_limit`) still bounds the answer: past it the client gets 504 and the result,
//! when it comes, is dropped; screening jobs whose client has gone are dropped by the batcher
//! before they start.

use super::ApiError;
use axum::Json;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

/// Run `f` on the blocking pool.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(f))
        .await
        .map_err(|e| ApiError::internal(format!("a worker task failed: {e}")))
}

/// The request's JSON body decoded on the blocking pool, with the answers the `Json` extractor
/// gives: 415 without a JSON content type, 400 for bad syntax, 422 for the wrong shape.
pub async fn json<T: DeserializeOwned + Send + 'static>(req: Request) -> Result<T, ApiError> {
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(json_content_type);
    if !is_json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Expected request with `Content-Type: application/json`",
        ));
    }
    // The body is already in memory (`limits::whole_body` read it within the limit).
    let bytes = axum::body::to_bytes(req.into_body(), usize::MAX)
        .await
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_body", e.to_string()))?;
    // serde_json straight, and only a body that fails through the extractor's own decoder
    // (its path-tracking deserializer, which names the failing field, cost 7% of a single-stone
    // request's CPU when every body went through it): the same values, the same rejections.
    blocking(move || match serde_json::from_slice::<T>(&bytes) {
        Ok(v) => Ok(v),
        Err(_) => Json::<T>::from_bytes(&bytes).map(|Json(v)| v),
    })
    .await?
    .map_err(ApiError::from)
}

/// `application/json` and `application/<anything>+json`, parameters ignored.
fn json_content_type(v: &str) -> bool {
    let e = v
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    e == "application/json" || (e.starts_with("application/") && e.ends_with("+json"))
}
