//! Connection manners: the accept loop in front of the router. Every connection gets a header
//! timeout (hyper starts it whenever a connection waits for a request, so it is also the idle
//! timeout of a kept-alive connection: a slow-loris client that sends a header line every few
//! seconds, or an idle one, is closed when it runs out), a cap on requests per connection (the
//! last answer carries `Connection: close`), and a cap on open connections: past it a new
//! connection gets a 503 JSON answer with Retry-After and is closed, without being read.
//! Shutdown stops accepting and lets open connections finish their requests within the grace.

use axum::Router;
use axum::http::{HeaderValue, header};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

#[derive(Debug, Clone, Copy)]
pub struct ConnConfig {
    /// Time a connection has to send a request's headers, and to start the next one.
    pub header_timeout: Duration,
    /// Open connections at most; past it, 503 and close.
    pub max_connections: usize,
    /// Requests served on one kept-alive connection before it is closed.
    pub max_requests_per_connection: usize,
    /// HTTP/1.1 keep-alive at all.
    pub keep_alive: bool,
    /// How long open connections may take to finish once shutdown begins.
    pub grace: Duration,
}

impl Default for ConnConfig {
    fn default() -> Self {
        ConnConfig {
            header_timeout: Duration::from_secs(10),
            max_connections: 1024,
            max_requests_per_connection: 1000,
            keep_alive: true,
            grace: Duration::from_secs(30),
        }
    }
}

const REFUSAL: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
retry-after: 1\r\nconnection: close\r\ncontent-length: 79\r\n\r\n\
{\"error\":\"busy\",\"detail\":\"too many open connections; retry after one second\"}";

/// Serve `app` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    cfg: ConnConfig,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(cfg.max_connections));
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(cfg.header_timeout)
        .keep_alive(cfg.keep_alive);
    builder.http2().timer(TokioTimer::new());
    let builder = Arc::new(builder);
    tokio::pin!(shutdown);
    loop {
        let (stream, _peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little, keep serving.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tokio::spawn(async move {
                let mut stream = stream;
                let _ =
                    tokio::time::timeout(Duration::from_secs(1), stream.write_all(REFUSAL)).await;
                let _ = stream.shutdown().await;
            });
            continue;
        };
        let served = Arc::new(AtomicUsize::new(0));
        let max = cfg.max_requests_per_connection.max(1);
        let app = app.clone();
        let svc = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
            let n = served.fetch_add(1, Ordering::Relaxed) + 1;
            let app = app.clone();
            async move {
                let mut resp = app.oneshot(req.map(axum::body::Body::new)).await?;
                if n >= max {
                    resp.headers_mut()
                        .insert(header::CONNECTION, HeaderValue::from_static("close"));
                }
                Ok::<_, std::convert::Infallible>(resp)
            }
        });
        let conn = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), svc)
            .into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _slot = slot;
            let _ = conn.await;
        });
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {},
        _ = tokio::time::sleep(cfg.grace) => {
            tracing::warn!("connections still open after the grace period; closing");
        }
    }
    Ok(())
}
