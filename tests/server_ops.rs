//! The service's operations side, on the real server: the OpenAPI document lists every route,
//! metrics, request ids in headers and logs, API keys, hot reload with a broken model, dynamic
//! batching of concurrent requests, the plot and the web page's files.

mod common;

use common::server::{Server, sample_stone};
use reqwest::blocking::Client;
use serde_json::{Value, json};

/// Every route the service has: (method, path).
const ROUTES: &[(&str, &str)] = &[
    ("post", "/v1/screen"),
    ("post", "/v1/screen/batch"),
    ("post", "/v1/plot"),
    ("post", "/v1/parcels"),
    ("get", "/v1/sampling-plan"),
    ("get", "/v1/models"),
    ("post", "/admin/reload"),
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/metrics"),
    ("get", "/openapi.json"),
    ("get", "/"),
    ("get", "/app.js"),
    ("get", "/style.css"),
];

#[test]
fn openapi_lists_every_route_and_every_listed_route_answers() {
    let s = Server::start(&[]);
    let c = Client::new();
    let doc: Value = s.get_json(&c, "/openapi.json");
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for (method, path) in ROUTES {
        assert!(
            paths.get(*path).and_then(|p| p.get(*method)).is_some(),
            "{method} {path} missing from the OpenAPI document"
        );
    }
    let listed: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(
        listed,
        ROUTES.len(),
        "the document lists routes this test does not know"
    );
    // every documented route exists in the router (no 404, no 405)
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let r = match method.as_str() {
                "get" => c.get(s.url(path)),
                _ => c.post(s.url(path)).json(&json!({})),
            }
            .send()
            .unwrap();
            let st = r.status().as_u16();
            assert!(st != 404 && st != 405, "{method} {path}: {st}");
        }
    }
    // request and response types are documented
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for name in [
        "Verdict",
        "StoneJson",
        "ParcelRequest",
        "ParcelSummary",
        "ErrorBody",
    ] {
        assert!(schemas.contains_key(name), "schema {name}");
    }
}

#[test]
fn metrics_request_ids_plot_and_page() {
    let s = Server::start(&[]);
    let c = Client::new();
    let r = s.screen_sample(&c, 0, None);
    assert_eq!(r.status(), 200);
    let id = r.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    // a caller's own id is kept and echoed
    let r = c
        .post(s.url("/v1/screen"))
        .header("x-request-id", "lab-42-req-7")
        .json(&sample_stone(1))
        .send()
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "lab-42-req-7");
    let r = c
        .get(s.url("/v1/sampling-plan?parcel_size=x"))
        .send()
        .unwrap();
    assert_eq!(r.status(), 400);

    let m = c.get(s.url("/metrics")).send().unwrap().text().unwrap();
    for want in [
        r#"diamond_screen_http_requests_total{method="POST",route="/v1/screen",status="200"} 2"#,
        r#"diamond_screen_http_requests_total{method="GET",route="/v1/sampling-plan",status="400"} 1"#,
        r#"diamond_screen_verdicts_total{verdict="natural"} 1"#,
        r#"diamond_screen_verdicts_total{verdict="refer"} 1"#,
        "diamond_screen_batch_stones_count 2",
        "diamond_screen_queue_stones 0",
        "diamond_screen_requests_in_flight 0",
        r#"diamond_screen_http_request_duration_seconds_count{route="/v1/screen"} 2"#,
    ] {
        assert!(m.contains(want), "metrics lack {want}:\n{m}");
    }
    // the logs carry the request ids
    std::thread::sleep(std::time::Duration::from_millis(100));
    let log = s.log_text();
    assert!(log.contains(&id) && log.contains("lab-42-req-7"), "{log}");

    // the plot: a PNG of both spectra
    let r = c
        .post(s.url("/v1/plot"))
        .json(&sample_stone(0))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/png");
    let png = r.bytes().unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let r = c
        .post(s.url("/v1/plot"))
        .json(&json!({"spectra": []}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 422);

    // the page and its files, embedded
    let page = c.get(s.url("/")).send().unwrap();
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text().unwrap();
    assert!(html.contains("/app.js") && html.contains("id=\"evidence\""));
    let js = c.get(s.url("/app.js")).send().unwrap().text().unwrap();
    assert!(js.contains("/v1/screen") && js.contains("/v1/plot"));
}

#[test]
fn api_keys_guard_v1_and_admin_only() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    std::fs::write(&keys, "# bench keys\nlab-key-1\n\nlab-key-2\n").unwrap();
    let s = Server::start(&["--api-keys", keys.to_str().unwrap()]);
    let c = Client::new();
    let r = s.screen_sample(&c, 0, None);
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["www-authenticate"], "Bearer");
    assert_eq!(r.json::<Value>().unwrap()["error"], "unauthorized");
    let r = s.screen_sample(&c, 0, Some("wrong"));
    assert_eq!(r.status(), 401);
    for key in ["lab-key-1", "lab-key-2"] {
        let r = s.screen_sample(&c, 0, Some(key));
        assert_eq!(r.status(), 200, "{key}");
    }
    for path in ["/v1/models", "/v1/sampling-plan?parcel_size=10"] {
        assert_eq!(c.get(s.url(path)).send().unwrap().status(), 401, "{path}");
    }
    assert_eq!(c.post(s.url("/admin/reload")).send().unwrap().status(), 401);
    // probes, metrics, the document and the page stay open
    for path in ["/healthz", "/readyz", "/metrics", "/openapi.json", "/"] {
        assert_eq!(c.get(s.url(path)).send().unwrap().status(), 200, "{path}");
    }
    // an empty keys file is a start-up error, not an open server
    std::fs::write(&keys, "# none\n").unwrap();
    let out = common::bin()
        .args(["serve", "--addr", "127.0.0.1:0", "--backend", "tract"])
        .args(["--api-keys", keys.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no keys"));
}

fn model_count(c: &Client, s: &Server) -> usize {
    let m: Value = s.get_json(c, "/v1/models");
    m["models"].as_array().unwrap().len()
}

fn verdict_of(c: &Client, s: &Server, i: usize) -> Value {
    let v: Value = c
        .post(s.url("/v1/screen"))
        .json(&sample_stone(i))
        .send()
        .unwrap()
        .json()
        .unwrap();
    v["verdict"].clone()
}

#[test]
fn reload_swaps_good_models_and_keeps_the_old_ones_on_a_broken_package() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_models(dir.path());
    let s = Server::start(&["--models", dir.path().to_str().unwrap()]);
    let c = Client::new();
    let r: Value = s.post_empty(&c, "/admin/reload");
    assert_eq!(r["status"], "reloaded");
    assert_eq!(r["models"].as_array().unwrap().len(), 3);

    // a truncated model file: the reload fails and says why; the old models keep serving
    let onnx = dir.path().join("pl532-mlp/model.onnx");
    let good = std::fs::read(&onnx).unwrap();
    std::fs::write(&onnx, &good[..good.len() / 2]).unwrap();
    let r = c.post(s.url("/admin/reload")).send().unwrap();
    assert_eq!(r.status(), 500);
    let body: Value = r.json().unwrap();
    assert_eq!(body["error"], "reload_failed");
    assert!(
        body["detail"].as_str().unwrap().contains("sha256"),
        "{body}"
    );
    assert_eq!(model_count(&c, &s), 3);
    assert_eq!(verdict_of(&c, &s, 0), "natural");
    assert_eq!(verdict_of(&c, &s, 1), "refer");

    // the same through SIGHUP
    s.signal("-HUP");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    // the failed POST above logged once; the SIGHUP reload logs the second time
    while s.log_text().matches("reload failed").count() < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "no reload after SIGHUP"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(verdict_of(&c, &s, 0), "natural");

    // repaired, minus one package: the reload takes the new set
    std::fs::write(&onnx, &good).unwrap();
    std::fs::remove_dir_all(dir.path().join("pl405-mlp")).unwrap();
    let r: Value = s.post_empty(&c, "/admin/reload");
    assert_eq!(r["status"], "reloaded", "{r}");
    assert_eq!(model_count(&c, &s), 2);
    let m = c.get(s.url("/metrics")).send().unwrap().text().unwrap();
    assert!(
        m.contains(r#"diamond_screen_model_reloads_total{result="failed"} 2"#),
        "{m}"
    );
    assert!(
        m.contains(r#"diamond_screen_model_reloads_total{result="ok"} 2"#),
        "{m}"
    );
}

#[test]
fn broken_model_at_start_up_is_a_clear_exit() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_models(dir.path());
    let onnx = dir.path().join("ftir-mlp/model.onnx");
    let good = std::fs::read(&onnx).unwrap();
    std::fs::write(&onnx, &good[..100]).unwrap();
    let out = common::bin()
        .args(["serve", "--addr", "127.0.0.1:0", "--backend", "tract"])
        .args(["--models", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ftir-mlp") && err.contains("sha256"), "{err}");
}

#[test]
fn concurrent_requests_are_coalesced_into_batches() {
    // slow batches make the coalescing certain, not a matter of timing luck
    let s = Server::start(&["--max-batch", "64", "--test-batch-delay-ms", "300"]);
    let c = Client::new();
    let n = 12;
    let results: Vec<Value> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let c = c.clone();
                let s = &s;
                scope.spawn(move || {
                    let mut stone = sample_stone(i % 4);
                    stone["stone_id"] = json!(format!("C-{i}"));
                    let v: Value = c
                        .post(s.url("/v1/screen"))
                        .json(&stone)
                        .send()
                        .unwrap()
                        .json()
                        .unwrap();
                    v
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let want = ["natural", "refer", "refer", "simulant"];
    for (i, v) in results.iter().enumerate() {
        assert_eq!(
            v["stone_id"],
            format!("C-{i}"),
            "each request gets its own stone back"
        );
        assert_eq!(v["verdict"], want[i % 4], "{v}");
    }
    let m = c.get(s.url("/metrics")).send().unwrap().text().unwrap();
    let batches: usize = m
        .lines()
        .find_map(|l| l.strip_prefix("diamond_screen_batch_stones_count "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(batches < n, "{n} requests ran as {batches} batches");
    assert!(
        m.contains(&format!("diamond_screen_batch_stones_sum {n}")),
        "{m}"
    );
}

/// A server whose batches take `delay_ms` longer (a hidden testing flag), for tests that need a
/// request in flight.
fn slow_server(delay_ms: u64, extra: &[&str]) -> Server {
    let delay = delay_ms.to_string();
    let mut args = vec!["--test-batch-delay-ms", delay.as_str()];
    args.extend_from_slice(extra);
    Server::start(&args)
}

#[test]
fn busy_answers_503_with_retry_after_and_slow_requests_504() {
    // one request in hand at a time; it waits 1.5 s in the batching window
    let s = slow_server(1500, &["--max-in-flight", "1"]);
    let c = Client::new();
    std::thread::scope(|scope| {
        let first = scope.spawn(|| s.screen_sample(&c, 0, None).status());
        std::thread::sleep(std::time::Duration::from_millis(400));
        let r = s.screen_sample(&c, 1, None);
        assert_eq!(r.status(), 503);
        assert_eq!(r.headers()["retry-after"], "1");
        assert_eq!(r.json::<Value>().unwrap()["error"], "busy");
        assert_eq!(first.join().unwrap(), 200);
    });
    drop(s);

    // a request deadline shorter than the batching window: 504 as JSON
    let s = slow_server(3000, &["--timeout", "1"]);
    let r = s.screen_sample(&c, 0, None);
    assert_eq!(r.status(), 504);
    assert_eq!(r.json::<Value>().unwrap()["error"], "timeout");
    // the server still answers
    assert_eq!(c.get(s.url("/healthz")).send().unwrap().status(), 200);
}

#[test]
fn sigterm_lets_the_request_in_flight_finish() {
    let mut s = slow_server(1500, &[]);
    let c = Client::new();
    std::thread::scope(|scope| {
        let inflight = scope.spawn(|| {
            let r = s.screen_sample(&c, 0, None);
            (r.status(), r.json::<Value>().unwrap())
        });
        std::thread::sleep(std::time::Duration::from_millis(400));
        s.signal("-TERM");
        let (status, v) = inflight.join().unwrap();
        assert_eq!(status, 200);
        assert_eq!(v["verdict"], "natural");
    });
    let status = s.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}
