//! Inference does not leak: 30,000 runs of every model at varying batch sizes leave resident
//! memory where it was (ort 2.0.0-rc.14's `Session::run` leaked a type-info object per output,
//! 60-170 bytes a run, which is why `Runner` calls the C API itself). One test in its own
//! process, so nothing else allocates meanwhile.

use diamond_screen::model::{BackendChoice, ModelSet, backend};

fn rss_kb() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn repeated_inference_keeps_memory_flat() {
    if rss_kb().is_none() {
        eprintln!("skipping: no /proc/self/status here");
        return;
    }
    backend::init(BackendChoice::Tract, None).unwrap();
    let models = ModelSet::load_dir(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models"),
        1,
    )
    .unwrap();
    let run = |i: usize| {
        for m in &models.models {
            let rows = i % 7 + 1;
            let batch = ndarray::Array2::<f32>::zeros((rows, m.manifest.spec.n_features()));
            let p = m.runner.predict(batch.view()).unwrap();
            assert_eq!(p.nrows(), rows);
        }
    };
    // warm up: every batch shape, the allocator's arenas
    (0..2_000).for_each(run);
    let before = rss_kb().unwrap();
    (0..30_000).for_each(run);
    let after = rss_kb().unwrap();
    // the leak grew this by about 7 MB; allow allocator noise
    assert!(
        after < before + 2_000,
        "resident memory grew from {before} kB to {after} kB over 90,000 runs"
    );
}
