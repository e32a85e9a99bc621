//! The web page for the bench: drop a stone's files, see the verdict, the evidence and the plot.
//! Plain HTML, CSS and JavaScript embedded in the binary: no build step, no CDN.

use axum::http::header;
use axum::response::IntoResponse;

const INDEX: &str = include_str!("page/index.html");
const SCRIPT: &str = include_str!("page/app.js");
const STYLE: &str = include_str!("page/style.css");

/// The page.
#[utoipa::path(get, path = "/", tag = "page",
    responses((status = 200, content_type = "text/html", body = String)))]
pub async fn index() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], INDEX)
}

/// Its script.
#[utoipa::path(get, path = "/app.js", tag = "page",
    responses((status = 200, content_type = "text/javascript", body = String)))]
pub async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        SCRIPT,
    )
}

/// Its style sheet.
#[utoipa::path(get, path = "/style.css", tag = "page",
    responses((status = 200, content_type = "text/css", body = String)))]
pub async fn style() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE)
}
