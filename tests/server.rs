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
    let v = upload("ftir/natural_FN7114_map0004.csv");
    assert_eq!(v["verdict"], "natural", "{v}");
    assert_eq!(v["channels"][0]["diamond_type"], "IaAB");
    let v = upload("ftir/hpht_IIa_0001.csv");
    assert_eq!(v["verdict"], "refer", "{v}");
}
