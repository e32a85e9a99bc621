//! The HTTP service, started for real on a random loopback port: every route, the error
//! statuses for client mistakes, and graceful shutdown on SIGTERM.

mod common;

use common::server::{Server, sample_stone};
use serde_json::{Value, json};

#[test]
fn routes_answer_and_client_mistakes_are_4xx_json() {
    let s = Server::start(&[]);
    let c = reqwest::blocking::Client::new();
    assert_eq!(c.get(s.url("/healthz")).send().unwrap().status(), 200);
    let ready: Value = s.get_json(&c, "/readyz");
    assert_eq!(ready["models"], 3);
    let models: Value = s.get_json(&c, "/v1/models");
    assert_eq!(models["models"].as_array().unwrap().len(), 3);
    assert_eq!(models["backend"]["kind"], "tract");
    // the build that answers, as `--version` names it
    assert_eq!(models["tool"], common::this_build());

    // one stone: the sample natural passes, the CVD is referred
    let v: Value = c
        .post(s.url("/v1/screen"))
        .json(&sample_stone(0))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(v["verdict"], "natural", "{v}");
    let v: Value = c
        .post(s.url("/v1/screen"))
        .json(&sample_stone(1))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(v["verdict"], "refer");
    assert_eq!(v["likely_origin"], "cvd");

    // batch: results in order, a bad stone gets its own error
    let bad =
        json!({"stone_id": "BAD", "spectra": [{"technique": "pl", "x": [1, 2], "y": [1, 2]}]});
    let r: Value = c
        .post(s.url("/v1/screen/batch"))
        .json(&json!({"stones": [sample_stone(0), bad, sample_stone(3)]}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let res = r["results"].as_array().unwrap();
    assert_eq!(res.len(), 3);
    assert_eq!(res[0]["verdict"], "natural");
    assert_eq!(res[1]["verdict"], "error");
    assert!(res[1]["error"].as_str().unwrap().contains("at least 16"));
    assert_eq!(res[2]["verdict"], "simulant");

    // parcel: a synthetic in the sample holds it
    let r: Value = c
        .post(s.url("/v1/parcels"))
        .json(&json!({"parcel_id": "P1", "parcel_size": 400, "declared_origin": "natural", "kp_certificate": "KP-1", "stones": [sample_stone(0), sample_stone(2)]}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(r["summary"]["recommendation"], "hold");
    let plan: Value = s.get_json(
        &c,
        "/v1/sampling-plan?parcel_size=500&max_share=0.01&confidence=0.95",
    );
    assert_eq!(plan["sample_size"], 225);

    // client mistakes: status and JSON body
    let cases: Vec<(reqwest::blocking::RequestBuilder, u16)> = vec![
        (c.post(s.url("/v1/screen")).body("{not json").header("content-type", "application/json"), 400),
        (c.post(s.url("/v1/screen")).body("{}"), 415),
        (c.post(s.url("/v1/screen")).json(&json!({"spectra": "no"})), 422),
        (c.post(s.url("/v1/screen")).json(&json!({"spectra": [{"x": [1.0], "y": [1.0, 2.0]}]})), 422),
        (c.post(s.url("/v1/screen")).json(&json!({"spectra": [{"x": vec![0.0; 300_000], "y": vec![0.0; 300_000]}]})), 413),
        (c.post(s.url("/v1/screen/batch")).json(&json!({"stones": []})), 422),
        (c.post(s.url("/v1/parcels")).json(&json!({"parcel_id": "P", "parcel_size": 1, "stones": [sample_stone(0), sample_stone(1)]})), 422),
        (c.get(s.url("/v1/sampling-plan?parcel_size=abc")), 400),
        (c.get(s.url("/v1/sampling-plan?parcel_size=10&max_share=2")), 422),
        (c.get(s.url("/nowhere")), 404),
    ];
    for (i, (req, want)) in cases.into_iter().enumerate() {
        let r = req.send().unwrap();
        assert_eq!(r.status().as_u16(), want, "case {i}");
        let body: Value = r
            .json()
            .unwrap_or_else(|e| panic!("case {i}: body is not JSON: {e}"));
        assert!(
            body["error"].is_string() && body["detail"].is_string(),
            "case {i}: {body}"
        );
    }
    let many = json!({"stones": vec![json!({"spectra": []}); 51]});
    assert_eq!(
        c.post(s.url("/v1/screen/batch"))
            .json(&many)
            .send()
            .unwrap()
            .status(),
        413
    );
    // the server still answers
    assert_eq!(c.get(s.url("/healthz")).send().unwrap().status(), 200);
}

#[test]
fn sigterm_shuts_down_gracefully() {
    let mut s = Server::start(&[]);
    let c = reqwest::blocking::Client::new();
    assert_eq!(c.get(s.url("/healthz")).send().unwrap().status(), 200);
    s.signal("-TERM");
    let status = s.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

#[test]
fn multipart_upload_of_real_and_sample_files() {
    let s = Server::start(&[]);
    let c = reqwest::blocking::Client::new();
    // a sample stone's three files in three formats' worth of readers (CSV here)
    let dir = common::project_dir().join("sample-spectra/csv");
    let mut form = reqwest::blocking::multipart::Form::new().text("stone_id", "UPLOAD-1");
    for ch in ["pl532", "pl405", "ftir"] {
        form = form
            .file("file", dir.join(format!("SIM103-000000_{ch}.csv")))
            .unwrap();
    }
    let v: Value = c
        .post(s.url("/v1/screen"))
        .multipart(form)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(v["stone_id"], "UPLOAD-1");
    assert_eq!(v["verdict"], "natural", "{v}");
    assert_eq!(v["channels"].as_array().unwrap().len(), 3);
    // no files: 422 as JSON
    let form = reqwest::blocking::multipart::Form::new().text("stone_id", "EMPTY");
    let r = c.post(s.url("/v1/screen")).multipart(form).send().unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().unwrap()["error"], "invalid_input");
    // a file no reader accepts: 422 naming it
    let form = reqwest::blocking::multipart::Form::new().part(
        "file",
        reqwest::blocking::multipart::Part::bytes(vec![0u8, 1, 2, 3]).file_name("junk.bin"),
    );
    let r = c.post(s.url("/v1/screen")).multipart(form).send().unwrap();
    assert_eq!(r.status(), 422);
    assert!(
        r.json::<Value>().unwrap()["detail"]
            .as_str()
            .unwrap()
            .contains("junk.bin")
    );
    // real spectra nobody here wrote: the natural OMNIC export passes on FTIR alone
    let Some(fx) = common::shared_fixtures() else {
        return;
    };
    let upload = |file: &str| -> Value {
        let form = reqwest::blocking::multipart::Form::new()
            .file("file", fx.join(file))
            .unwrap();
        c.post(s.url("/v1/screen"))
            .multipart(form)
            .send()
            .unwrap()
            .json()
            .unwrap()
    };
    // FN7114 is a CO2-rich natural whose one-phonon region is filled by a broad band: its
    // nitrogen is not determined, so FTIR alone cannot pass it.
    let v = upload("ftir/natural_FN7114_map0004.csv");
    assert_eq!(v["verdict"], "refer", "{v}");
    assert_eq!(v["channels"][0]["diamond_type"], "unknown");
    assert_eq!(
        v["channels"][0]["ftir"]["nitrogen_determined"], false,
        "{v}"
    );
    assert!(
        v["channels"][0]["ftir"]["nitrogen_ppm"]["total"].is_null(),
        "{v}"
    );
    let v = upload("ftir/hpht_IIa_0001.csv");
    assert_eq!(v["verdict"], "refer", "{v}");
}

#[test]
fn an_early_refusal_keeps_a_keep_alive_connection_usable() {
    // A multipart upload whose first field is refused, sent in two halves on one keep-alive
    // connection, then a second request on the same connection. The server reads the whole
    // body before it answers, so the client sees the 422 and its connection stays usable.
    use std::io::{BufRead, BufReader, Read, Write};
    let s = Server::start(&[]);
    let addr = s.base.strip_prefix("http://").unwrap().to_string();
    let mut tcp = std::net::TcpStream::connect(&addr).unwrap();
    tcp.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    let file =
        std::fs::read(common::project_dir().join("sample-spectra/csv/SIM103-000000_pl532.csv"))
            .unwrap();
    // The refused field and its closing boundary come in the first half, the file in the second.
    let first = "--XYZ\r\nContent-Disposition: form-data; name=\"excitation_nm\"\r\n\r\ngreen\r\n\
                 --XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\n";
    let mut rest = file;
    rest.extend_from_slice(b"\r\n--XYZ--\r\n");
    let head = format!(
        "POST /v1/screen HTTP/1.1\r\nHost: {addr}\r\nContent-Type: multipart/form-data; boundary=XYZ\r\nContent-Length: {}\r\n\r\n",
        first.len() + rest.len()
    );
    tcp.write_all(head.as_bytes()).unwrap();
    tcp.write_all(first.as_bytes()).unwrap();
    // No answer before the body is complete: an early one makes clients that are still sending
    // (reqwest's blocking client, for one) fail with a send error instead of reading it.
    tcp.set_read_timeout(Some(std::time::Duration::from_millis(500)))
        .unwrap();
    let early = tcp.peek(&mut [0u8; 16]);
    assert!(
        early.is_err(),
        "answered before the body was complete: {early:?}"
    );
    tcp.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    tcp.write_all(&rest)
        .expect("the server still reads the body it refuses");
    let mut reader = BufReader::new(tcp.try_clone().unwrap());
    let read_answer = |reader: &mut BufReader<std::net::TcpStream>| -> (String, bool, Vec<u8>) {
        let mut status = String::new();
        reader.read_line(&mut status).unwrap();
        let (mut length, mut close) = (0usize, false);
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let l = line.trim().to_ascii_lowercase();
            if l.is_empty() {
                break;
            }
            if let Some(v) = l.strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
            close |= l == "connection: close";
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        (status, close, body)
    };
    let (status, close, body) = read_answer(&mut reader);
    assert!(status.contains(" 422 "), "{status}");
    assert!(!close, "the connection is kept");
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["error"], "invalid_input", "{v}");
    tcp.write_all(format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
        .expect("the connection is still open");
    let (status, _, _) = read_answer(&mut reader);
    assert!(status.contains(" 200 "), "{status}");
}

#[test]
fn multipart_upload_of_vendor_files_and_the_x_unit_field() {
    let Some(lab) = common::shared_lab_files() else {
        return;
    };
    let s = Server::start(&[]);
    let c = reqwest::blocking::Client::new();
    let post = |form: reqwest::blocking::multipart::Form| -> Value {
        c.post(s.url("/v1/screen"))
            .multipart(form)
            .send()
            .unwrap()
            .json()
            .unwrap()
    };
    // A Bruker OPUS binary, as the spectrometer wrote it: read from memory, typed by FTIR.
    let opus = lab.join("formats/opus/FN7112-diamond-500scans-up_to_4000cm-no_atm_comp-2cm-1.0");
    let v = post(
        reqwest::blocking::multipart::Form::new()
            .file("file", &opus)
            .unwrap(),
    );
    assert_eq!(v["channels"][0]["channel"], "ftir", "{v}");
    assert_eq!(v["channels"][0]["diamond_type"], "unknown", "{v}");
    // The EnSpectr PL file with the fields a lab adds: the laser and the unit come from the file;
    // the same file in plain columns needs the x_unit field, which a field after the file gives.
    let esp = lab.join("pl/natural_FN7112_pl532_77K.esp");
    let form = reqwest::blocking::multipart::Form::new()
        .file("file", &esp)
        .unwrap()
        .text("technique", "pl")
        .text("temperature_k", "77");
    let a = post(form);
    assert_ne!(a["verdict"], "error", "{a}");
    let columns: String = String::from_utf8_lossy(&std::fs::read(&esp).unwrap())
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let part =
        reqwest::blocking::multipart::Part::bytes(columns.into_bytes()).file_name("FN7112_pl.txt");
    let form = reqwest::blocking::multipart::Form::new()
        .part("file", part)
        .text("technique", "pl")
        .text("temperature_k", "77")
        .text("excitation_nm", "532.06")
        .text("x_unit", "angstrom");
    let b = post(form);
    assert_eq!(a["verdict"], b["verdict"], "{a}\n{b}");
    let form = reqwest::blocking::multipart::Form::new()
        .part(
            "file",
            reqwest::blocking::multipart::Part::bytes(b"1,2\n".to_vec()).file_name("x.csv"),
        )
        .text("x_unit", "furlong");
    let r = c.post(s.url("/v1/screen")).multipart(form).send().unwrap();
    assert_eq!(r.status(), 422);
}
