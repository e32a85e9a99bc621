//! The real server, started on a random loopback port for a test; killed when dropped.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};

pub struct Server {
    pub child: Child,
    pub base: String,
    /// Everything the server wrote to stderr (its logs), as it arrives.
    pub log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// `serve` with the tract backend, small limits for the tests, and `extra` flags.
    pub fn start(extra: &[&str]) -> Server {
        let mut child = super::bin()
            .args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--backend",
                "tract",
                "--max-stones",
                "50",
                "--max-body",
                "2000000",
            ])
            .args(extra)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let mut seen = Vec::new();
        let addr = loop {
            let line = lines
                .next()
                .unwrap_or_else(|| panic!("server exited:\n{}", seen.join("\n")))
                .unwrap();
            if let Some(a) = line.strip_prefix("listening on ") {
                break a.to_string();
            }
            seen.push(line);
        };
        let log = Arc::new(Mutex::new(seen));
        let sink = log.clone();
        // keep draining stderr so the server never blocks on it
        std::thread::spawn(move || {
            for l in lines.map_while(Result::ok) {
                sink.lock().unwrap().push(l);
            }
        });
        Server {
            child,
            base: format!("http://{addr}"),
            log,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// POST sample stone `i` to /v1/screen, with a bearer key when given.
    pub fn screen_sample(
        &self,
        c: &reqwest::blocking::Client,
        i: usize,
        key: Option<&str>,
    ) -> reqwest::blocking::Response {
        let mut req = c.post(self.url("/v1/screen")).json(&sample_stone(i));
        if let Some(k) = key {
            req = req.bearer_auth(k);
        }
        req.send().unwrap()
    }

    /// GET `path` and its JSON body.
    pub fn get_json(&self, c: &reqwest::blocking::Client, path: &str) -> serde_json::Value {
        c.get(self.url(path)).send().unwrap().json().unwrap()
    }

    /// POST `path` with no body, and the JSON answer.
    pub fn post_empty(&self, c: &reqwest::blocking::Client, path: &str) -> serde_json::Value {
        c.post(self.url(path)).send().unwrap().json().unwrap()
    }

    pub fn log_text(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }

    pub fn signal(&self, sig: &str) {
        let pid = self.child.id().to_string();
        let ok = std::process::Command::new("kill")
            .args([sig, &pid])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill {sig} {pid}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A sample stone (simulated) as the JSON request body.
pub fn sample_stone(i: usize) -> serde_json::Value {
    let text = std::fs::read_to_string(
        super::project_dir().join(format!("sample-spectra/json/SIM103-00000{i}.json")),
    )
    .unwrap();
    serde_json::from_str(&text).unwrap()
}
