//! Request limits as middleware: a body announced over the size limit, and the request
//! timeout; both answered as JSON like every other error.

use super::ApiError;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use std::time::Duration;

/// What is read of a body announced over the limit before refusing it, beyond the limit: enough
/// for an ordinary client to finish sending and read the 413 (clients that cannot read an answer
/// while sending see a broken pipe instead), not enough to make a huge upload costly.
const DRAIN_BEYOND_LIMIT: u64 = 16 << 20;

/// A body announced (Content-Length) over the limit is refused without being kept: what arrives
/// is drained (up to the limit plus `DRAIN_BEYOND_LIMIT`, while it keeps coming within a second)
/// and dropped, then the answer is 413 and the connection closes.
pub async fn announced_length(State(limit): State<usize>, req: Request, next: Next) -> Response {
    let announced = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match announced {
        Some(n) if n > limit as u64 => {
            use http_body_util::BodyExt;
            let mut body = req.into_body();
            let cap = n.min((limit as u64).saturating_add(DRAIN_BEYOND_LIMIT));
            let mut seen = 0u64;
            while seen < cap {
                match tokio::time::timeout(Duration::from_secs(1), body.frame()).await {
                    Ok(Some(Ok(frame))) => {
                        seen += frame.data_ref().map_or(0, |d| d.len() as u64);
                    }
                    _ => break,
                }
            }
            ApiError::too_large(format!("body of {n} bytes; at most {limit}")).closing()
        }
        _ => next.run(req).await,
    }
}

/// The whole body is read (within the limit, checked here for bodies sent without a length too)
/// before the request is handled. A handler may answer early, at the first bad field of a
/// multipart upload, and a client still sending its body (reqwest's blocking client, for one)
/// then fails with a send error instead of reading the answer.
pub async fn whole_body(State(limit): State<usize>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                .await
        }
        Err(e) => {
            let over = std::error::Error::source(&e)
                .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
            if over {
                ApiError::too_large(format!("body over {limit} bytes")).closing()
            } else {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_body",
                    format!("the body could not be read: {e}"),
                )
                .closing()
            }
        }
    }
}

/// The request deadline, answered as JSON like every other error: 504. The handler's future is
/// dropped, so its work is abandoned: a screening job not yet started is dropped by the
/// batcher, and what runs on the blocking pool finishes unheard (each such step is bounded:
/// one file, one plan, one plot).
pub async fn time_limit(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(resp) => resp,
        Err(_) => ApiError::new(
            StatusCode::GATEWAY_TIMEOUT,
            "timeout",
            format!("no answer within {} s", limit.as_secs_f64()),
        )
        .closing(),
    }
}
