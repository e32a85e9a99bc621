//! The bad-input corpus (`tests/bad_inputs/`, written by its `make.py`): every file is uploaded to
//! the real server and every request sent; each must give its expected outcome (a clear error
//! or a documented verdict, usually `inconclusive`), never a 5xx, a panic or a hang, and the
//! server must still answer afterwards. The CLI screens the whole folder too: one record per
//! file's stone, errors reported, no panic.

mod common;

use common::server::Server;
use reqwest::blocking::{Client, RequestBuilder, multipart};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

fn corpus() -> (PathBuf, Value) {
    let dir = common::project_dir().join("tests/bad_inputs");
    let cases = std::fs::read_to_string(dir.join("cases.json")).unwrap();
    (dir, serde_json::from_str(&cases).unwrap())
}

fn upload(c: &Client, s: &Server, path: &Path) -> (u16, Value) {
    let form = multipart::Form::new().part(
        "file",
        multipart::Part::bytes(std::fs::read(path).unwrap())
            .file_name(path.file_name().unwrap().to_string_lossy().into_owned()),
    );
    answer(c.post(s.url("/v1/screen")).multipart(form))
}

/// Status and JSON body; every answer must be JSON, and never a 5xx.
fn answer(req: RequestBuilder) -> (u16, Value) {
    let r = req.send().expect("the server answers");
    let status = r.status().as_u16();
    let text = r.text().unwrap();
    let body: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("status {status}: body is not JSON ({e}): {text:.200}"));
    assert!(status < 500, "status {status}: {body}");
    if status != 200 {
        assert!(
            body["error"].is_string() && body["detail"].is_string(),
            "{status}: {body}"
        );
    }
    (status, body)
}

/// Whether the outcome is the expected one (Err says how not).
fn check(
    name: &str,
    expect: &Value,
    status: u16,
    body: &Value,
    mut base: impl FnMut(&str) -> Value,
) -> Result<(), String> {
    let fail = |what: &str| Err(format!("{name}: {what}: {status} {body:.300}"));
    if expect.is_null() {
        // truncations: whatever is left is either refused clearly or screened
        if status == 422 || (status == 200 && body["verdict"].is_string()) {
            return Ok(());
        }
        return fail("neither a clear error nor a verdict");
    }
    if Some(status as u64) != expect["status"].as_u64() {
        return fail(&format!("status, expected {}", expect["status"]));
    }
    if let Some(text) = expect["contains"].as_str() {
        let detail = body["detail"].as_str().unwrap_or_default().to_lowercase();
        if !detail.contains(&text.to_lowercase()) {
            return fail(&format!("detail lacks {text:?}"));
        }
    }
    if let Some(code) = expect["error"].as_str()
        && body["error"] != code
    {
        return fail(&format!("error code, expected {code}"));
    }
    if let Some(v) = expect["verdict"].as_str()
        && body["verdict"] != v
    {
        return fail(&format!("verdict, expected {v}"));
    }
    if let Some(file) = expect["same_as"].as_str() {
        let want = base(file);
        if body["verdict"] != want {
            return fail(&format!("verdict, expected {want} as for {file}"));
        }
    }
    Ok(())
}

/// A request announcing a body of `length` bytes, of which only the first megabyte is sent: the
/// server must refuse it from the announced length, without reading (or waiting for) the rest.
fn announced_body(s: &Server, path: &str, length: u64) -> (u16, Value) {
    use std::io::{Read, Write};
    let addr = s.base.strip_prefix("http://").unwrap();
    let mut tcp = std::net::TcpStream::connect(addr).unwrap();
    tcp.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
    );
    tcp.write_all(head.as_bytes()).unwrap();
    let _ = tcp.write_all(&vec![b' '; 1 << 20]);
    let mut resp = Vec::new();
    let _ = tcp.read_to_end(&mut resp);
    let text = String::from_utf8_lossy(&resp);
    let status: u16 = text
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP answer: {text:.200}"));
    let body = text.split("\r\n\r\n").nth(1).unwrap_or_default();
    let body: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body:.200}"));
    (status, body)
}

fn generated(c: &Client, s: &Server, r: &Value) -> RequestBuilder {
    let url = s.url(r["path"].as_str().unwrap());
    let g = &r["generate"];
    if let Some(mp) = g.get("multipart") {
        let mut form = multipart::Form::new();
        for (k, v) in mp["fields"].as_object().into_iter().flatten() {
            form = form.text(k.clone(), v.as_str().unwrap().to_string());
        }
        for (name, v) in mp["files"].as_object().into_iter().flatten() {
            let v = v.as_str().unwrap();
            let bytes = match v.strip_prefix('@') {
                Some(p) => std::fs::read(common::project_dir().join(p)).unwrap(),
                None => v.as_bytes().to_vec(),
            };
            form = form.part(
                "file",
                multipart::Part::bytes(bytes).file_name(name.clone()),
            );
        }
        return c.post(url).multipart(form);
    }
    let body = if let Some(n) = g["points"].as_u64() {
        let x: Vec<f64> = (0..n).map(|i| 500.0 + i as f64 * 1e-4).collect();
        json!({"spectra": [{"technique": "pl", "excitation_nm": 532, "x": x, "y": vec![1.0; n as usize]}]})
    } else if let Some(n) = g["stones"].as_u64() {
        json!({"stones": vec![json!({"spectra": []}); n as usize]})
    } else {
        panic!("unknown generator {g}");
    };
    c.post(url)
        .header("content-type", "application/json")
        .body(serde_json::to_vec(&body).unwrap())
}

#[test]
fn every_bad_input_gets_its_expected_outcome_and_the_server_survives() {
    let (dir, cases) = corpus();
    let files = cases["files"].as_array().unwrap();
    let requests = cases["requests"].as_array().unwrap();
    assert!(files.len() + requests.len() >= 150);
    // 100 MB bodies, so that a 5-million-point spectrum reaches the point limit
    let s = Server::start(&["--max-body", "100000000"]);
    let c = Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .unwrap();
    let mut bases: HashMap<String, Value> = HashMap::new();
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for case in files {
        let name = case["name"].as_str().unwrap();
        let (status, body) = upload(&c, &s, &dir.join(case["file"].as_str().unwrap()));
        let outcome = match status {
            200 => format!("200 {}", body["verdict"].as_str().unwrap_or("?")),
            _ => format!("{status} {}", body["error"].as_str().unwrap_or("?")),
        };
        eprintln!(
            "{name:40} {outcome:24} {:.100}",
            body["detail"].as_str().unwrap_or("")
        );
        *outcomes.entry(outcome).or_default() += 1;
        let base = |f: &str| {
            bases
                .entry(f.to_string())
                .or_insert_with(|| {
                    upload(&c, &s, &common::project_dir().join(f)).1["verdict"].clone()
                })
                .clone()
        };
        failures.extend(check(name, &case["expect"], status, &body, base).err());
    }
    for r in requests {
        let name = r["name"].as_str().unwrap();
        let url = s.url(r["path"].as_str().unwrap());
        let (status, body) = if let Some(n) = r["generate"]["bytes"].as_u64() {
            announced_body(&s, r["path"].as_str().unwrap(), n)
        } else if !r["generate"].is_null() {
            answer(generated(&c, &s, r))
        } else {
            let mut req = match r["method"].as_str().unwrap() {
                "GET" => c.get(url),
                _ => c.post(url),
            };
            if let Some(ct) = r["content_type"].as_str() {
                req = req.header("content-type", ct);
            }
            if let Some(b) = r["body"].as_str() {
                req = req.body(b.to_string());
            }
            if let Some(f) = r["body_file"].as_str() {
                req = req.body(std::fs::read(common::project_dir().join(f)).unwrap());
            }
            answer(req)
        };
        eprintln!(
            "{name:40} {status} {:.100}",
            body["error"].as_str().unwrap_or("")
        );
        *outcomes
            .entry(format!(
                "{status} {}",
                body["error"].as_str().unwrap_or("ok")
            ))
            .or_default() += 1;
        failures.extend(check(name, &r["expect"], status, &body, |_| Value::Null).err());
    }
    eprintln!("outcomes: {outcomes:#?}");
    assert!(
        failures.is_empty(),
        "{} unexpected outcomes:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // still serving, and still right
    let (status, v) = upload(
        &c,
        &s,
        &common::project_dir().join("sample-spectra/json/SIM103-000000.json"),
    );
    assert_eq!((status, v["verdict"].as_str()), (200, Some("natural")));
    assert_eq!(c.get(s.url("/healthz")).send().unwrap().status(), 200);
}

#[test]
fn the_cli_screens_the_corpus_folder_with_a_record_per_stone() {
    let (dir, cases) = corpus();
    let out = common::bin()
        .args(["screen", "--backend", "tract"])
        .arg(dir.join("files"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        out.status.code(),
        Some(2),
        "some files are errors: {stderr}"
    );
    let records: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let files: usize = records
        .iter()
        .map(|r| r["files"].as_array().unwrap().len())
        .sum();
    assert_eq!(files, cases["files"].as_array().unwrap().len());
    assert!(records.iter().any(|r| r["verdict"] == "error"));
}
