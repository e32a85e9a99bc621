//! Model inference per backend at batch 1, 64 and 1024, and end-to-end `screen` over a folder of
//! simulated stones. One backend per process: `BENCH_BACKEND=tract` (default) or
//! `BENCH_BACKEND=onnxruntime` (library from ORT_DYLIB_PATH or the onnxruntime Python package).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use diamond_screen::batch::{self, BatchOptions, OutputFormat};
use diamond_screen::channel::Channel;
use diamond_screen::model::{BackendChoice, ModelSet, backend};
use diamond_screen::screen::Screener;
use diamond_screen::simulate::{archive::write_archive, write::Format};
use ndarray::Array2;
use std::path::PathBuf;

fn choice() -> BackendChoice {
    std::env::var("BENCH_BACKEND")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(BackendChoice::Tract)
}

fn models() -> ModelSet {
    let info = backend::init(choice(), None).expect("backend");
    eprintln!("backend: {}", info.kind.name());
    ModelSet::load_dir(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models"),
        rayon::current_num_threads(),
    )
    .unwrap()
}

fn inference(c: &mut Criterion) {
    let set = models();
    let name = backend::current().map(|b| b.kind.name()).unwrap_or("?");
    let mut g = c.benchmark_group(format!("inference_{name}"));
    for m in &set.models {
        let nf = m.manifest.spec.n_features();
        for batch in [1usize, 64, 1024] {
            let x = Array2::<f32>::from_shape_fn((batch, nf), |(i, j)| {
                (((i * 31 + j * 17) % 97) as f32 / 97.0) - 0.5
            });
            g.throughput(Throughput::Elements(batch as u64));
            g.bench_function(format!("{}_batch{batch}", m.manifest.spec.id), |b| {
                b.iter(|| m.runner.predict(x.view()).unwrap())
            });
        }
    }
    g.finish();
}

fn end_to_end(c: &mut Criterion) {
    let screener = Screener::new(models());
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    write_archive(
        &data,
        200,
        77,
        &[Channel::Pl532, Channel::Ftir],
        &[],
        &[],
        Format::Csv,
    )
    .unwrap();
    let out = tmp.path().join("out.jsonl");
    let opts = BatchOptions {
        paths: vec![data],
        format: OutputFormat::Jsonl,
        out: Some(out),
        shard: None,
        resume: false,
        chunk_stones: 2000,
        progress: false,
    };
    let name = backend::current().map(|b| b.kind.name()).unwrap_or("?");
    let mut g = c.benchmark_group(format!("screen_{name}"));
    g.sample_size(10);
    g.throughput(Throughput::Elements(200));
    g.bench_function("200_stones_pl532_ftir_csv", |b| {
        b.iter(|| {
            batch::run(
                &screener,
                &opts,
                &diamond_screen::spectrum::ReadOptions::default(),
            )
            .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, inference, end_to_end);
criterion_main!(benches);
