//! Prometheus metrics: requests by route and status, latency per route, verdicts, batch sizes
//! and queue depth. One middleware records every route, so no handler repeats a metrics block.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts,
    Registry, TextEncoder,
};
use std::sync::Arc;
use std::time::Instant;

pub struct Metrics {
    registry: Registry,
    pub requests: IntCounterVec,
    pub latency: HistogramVec,
    pub verdicts: IntCounterVec,
    pub batch_stones: Histogram,
    pub queue_stones: IntGauge,
    pub in_flight: IntGauge,
    /// Screening jobs dropped unscreened because their caller had stopped waiting.
    pub abandoned: IntCounter,
    pub reloads: IntCounterVec,
}

fn must<T>(r: prometheus::Result<T>) -> T {
    // Only fails on a malformed name or a duplicate registration: a programming error.
    r.expect("metric definition")
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry = must(Registry::new_custom(Some("diamond_screen".into()), None));
        let requests = must(IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by route, method and status",
            ),
            &["route", "method", "status"],
        ));
        let latency = must(HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "Request latency by route")
                .buckets(vec![
                    0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512,
                    1.0, 2.0, 5.0, 10.0,
                ]),
            &["route"],
        ));
        let verdicts = must(IntCounterVec::new(
            Opts::new("verdicts_total", "Stones screened, by verdict"),
            &["verdict"],
        ));
        let batch_stones = must(Histogram::with_opts(
            HistogramOpts::new("batch_stones", "Stones per model batch (dynamic batching)")
                .buckets(must(prometheus::exponential_buckets(1.0, 2.0, 12))),
        ));
        let queue_stones = must(IntGauge::new(
            "queue_stones",
            "Stones waiting for the batcher",
        ));
        let in_flight = must(IntGauge::new(
            "requests_in_flight",
            "Screening requests being served",
        ));
        let abandoned = must(IntCounter::new(
            "screening_jobs_abandoned_total",
            "Screening jobs dropped before they started: their client left or their deadline passed",
        ));
        let reloads = must(IntCounterVec::new(
            Opts::new("model_reloads_total", "Model reloads by result"),
            &["result"],
        ));
        for c in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(verdicts.clone()),
            Box::new(batch_stones.clone()),
            Box::new(queue_stones.clone()),
            Box::new(in_flight.clone()),
            Box::new(abandoned.clone()),
            Box::new(reloads.clone()),
        ] {
            must(registry.register(c));
        }
        Metrics {
            registry,
            requests,
            latency,
            verdicts,
            batch_stones,
            queue_stones,
            in_flight,
            abandoned,
            reloads,
        }
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        // Encoding our own well-formed families into a Vec cannot fail.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

/// Records every request: route (the matched pattern, never the raw path), method, status,
/// latency.
pub async fn record(State(m): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().as_str().to_string();
    let start = Instant::now();
    let resp = next.run(req).await;
    m.latency
        .with_label_values(&[&route])
        .observe(start.elapsed().as_secs_f64());
    m.requests
        .with_label_values(&[&route, &method, resp.status().as_str()])
        .inc();
    resp
}
