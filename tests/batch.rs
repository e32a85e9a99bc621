//! Archive screening through the real binary: shards are disjoint and cover every stone, a run
//! killed with SIGKILL and rerun with --resume yields exactly one record per stone, bad files are
//! reported per stone without stopping the run, and paths can come on stdin.

mod common;

use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::Path;
use std::process::Stdio;

fn records(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn ids(v: &[Value]) -> Vec<String> {
    v.iter()
        .map(|r| r["stone_id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn shards_are_disjoint_and_cover_every_stone() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    common::archive(&data, 60, 21);
    let mut all = Vec::new();
    for i in 0..3 {
        let out = tmp.path().join(format!("shard{i}.jsonl"));
        let st = common::bin()
            .args([
                "screen",
                "--backend",
                "tract",
                "--shard",
                &format!("{i}/3"),
                "--out",
            ])
            .arg(&out)
            .arg(&data)
            .status()
            .unwrap();
        assert!(st.success());
        let got = ids(&records(&out));
        assert!(!got.is_empty(), "shard {i} is empty");
        all.extend(got);
    }
    let unique: HashSet<_> = all.iter().cloned().collect();
    assert_eq!(all.len(), 60, "shards overlap or miss stones");
    assert_eq!(unique.len(), 60);
    let bad = common::bin()
        .args(["screen", "--shard", "3/3"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(!bad.status.success());
}

#[test]
fn killed_run_resumes_to_exactly_one_record_per_stone() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    common::archive(&data, 400, 22);
    let out = tmp.path().join("out.jsonl");
    let mut killed_midway = false;
    for attempt in 0..20 {
        let mut child = common::bin()
            .args([
                "screen",
                "--backend",
                "tract",
                "--chunk",
                "20",
                "--resume",
                "--out",
            ])
            .arg(&out)
            .arg(&data)
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // let it write part of the output, then kill it hard
        let start = std::time::Instant::now();
        loop {
            let n = std::fs::read(&out)
                .map(|b| b.iter().filter(|&&c| c == b'\n').count())
                .unwrap_or(0);
            if n > 40 * (attempt + 1) || start.elapsed().as_secs() > 30 {
                break;
            }
            if let Ok(Some(_)) = child.try_wait() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            killed_midway = true;
        }
        child.wait().unwrap();
        let n = std::fs::read_to_string(&out)
            .unwrap_or_default()
            .lines()
            .count();
        if n >= 400 {
            break;
        }
    }
    assert!(killed_midway, "the run finished before it could be killed");
    // a final resume completes the job
    let st = common::bin()
        .args(["screen", "--backend", "tract", "--resume", "--out"])
        .arg(&out)
        .arg(&data)
        .status()
        .unwrap();
    assert!(st.success());
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.ends_with('\n'));
    let got = ids(&records(&out));
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for id in &got {
        *counts.entry(id).or_default() += 1;
    }
    assert_eq!(counts.len(), 400, "missing stones");
    assert!(counts.values().all(|&c| c == 1), "duplicated records");
}

#[test]
fn bad_files_are_reported_per_stone_and_the_run_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    common::archive(&data, 20, 23);
    std::fs::write(data.join("BROKEN1_pl532.csv"), "1,2\n3,4\nnot,numbers\n").unwrap();
    std::fs::write(data.join("BROKEN2_ftir.csv"), [0u8, 159, 146, 150, 0, 1, 2]).unwrap();
    // a good stone with one bad file: the stone is an error, its good file is not lost silently
    let victim = std::fs::read_dir(&data)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().ends_with("_ftir.csv"))
        .unwrap();
    std::fs::write(&victim, "garbage\n").unwrap();
    let out = tmp.path().join("out.jsonl");
    let o = common::bin()
        .args(["screen", "--backend", "tract", "--out"])
        .arg(&out)
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "exit code 2 when some stones had errors"
    );
    let recs = records(&out);
    assert_eq!(recs.len(), 22);
    let errors: Vec<&Value> = recs.iter().filter(|r| r["verdict"] == "error").collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
    for e in &errors {
        assert!(!e["error"].as_str().unwrap().is_empty());
        assert!(!e["files"].as_array().unwrap().is_empty());
    }
    assert!(String::from_utf8_lossy(&o.stderr).contains("errors 3"));
}

#[test]
fn paths_on_stdin_and_csv_output() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    common::archive(&data, 10, 24);
    let list: String = std::fs::read_dir(&data)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv") && !p.ends_with("labels.csv"))
        .map(|p| format!("{}\n", p.display()))
        .collect();
    let mut child = common::bin()
        .args(["screen", "--backend", "tract", "--format", "csv", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(list.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    let mut r = csv::Reader::from_reader(o.stdout.as_slice());
    assert_eq!(r.headers().unwrap().get(1), Some("verdict"));
    assert_eq!(r.records().count(), 10);
}

#[test]
fn parquet_output_holds_the_same_records_as_jsonl() {
    use arrow_array::{Array, Float64Array, StringArray};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    common::archive(&data, 45, 23);
    let pq = tmp.path().join("out.parquet");
    let run = |args: &[&str]| {
        common::bin()
            .args(["screen", "--backend", "tract", "--chunk", "10"])
            .args(args)
            .arg(&data)
            .output()
            .unwrap()
    };
    common::assert_success(&run(&[
        "--format",
        "parquet",
        "--out",
        pq.to_str().unwrap(),
    ]));
    let jsonl = common::json_lines(&run(&[]));
    let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&pq).unwrap())
        .unwrap()
        .build()
        .unwrap();
    let mut got = HashMap::new();
    let mut row_groups = 0;
    for batch in reader {
        let b = batch.unwrap();
        row_groups += 1;
        let col = |name: &str| b.column_by_name(name).unwrap().clone();
        let ids = col("stone_id");
        let ids = ids.as_any().downcast_ref::<StringArray>().unwrap();
        let verdicts = col("verdict");
        let verdicts = verdicts.as_any().downcast_ref::<StringArray>().unwrap();
        let p = col("p_synthetic");
        let p = p.as_any().downcast_ref::<Float64Array>().unwrap();
        let evidence = col("evidence");
        let evidence = evidence.as_any().downcast_ref::<StringArray>().unwrap();
        for i in 0..b.num_rows() {
            let ev: Value = serde_json::from_str(evidence.value(i)).unwrap();
            let ps = (!p.is_null(i)).then(|| p.value(i));
            got.insert(
                ids.value(i).to_string(),
                (verdicts.value(i).to_string(), ps, ev),
            );
        }
    }
    assert!(row_groups >= 1);
    assert_eq!(got.len(), 45);
    for r in &jsonl {
        let (verdict, p, ev) = &got[r["stone_id"].as_str().unwrap()];
        assert_eq!(verdict, r["verdict"].as_str().unwrap());
        assert_eq!(*p, r["p_synthetic"].as_f64());
        assert_eq!(ev, &r["evidence"]);
    }
    // Parquet needs a file and cannot be resumed: clear refusals
    for args in [
        vec!["--format", "parquet"],
        vec![
            "--format",
            "parquet",
            "--resume",
            "--out",
            pq.to_str().unwrap(),
        ],
    ] {
        let out = run(&args);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("parquet") || err.contains("Parquet"), "{err}");
    }
}
