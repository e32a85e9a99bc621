//! The protocol runner and the feature rows of the shipped models, on arbitrary spectra: the
//! bytes become (x, y) pairs and metadata, go through validation like any reader's output, then
//! every model's protocol and feature row, and the detector.
#![no_main]
use diamond_screen::stage::stage;
use diamond_screen::model::ModelSpec;
use diamond_screen::spectrum::read_bytes;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn specs() -> &'static [ModelSpec] {
    static SPECS: OnceLock<Vec<ModelSpec>> = OnceLock::new();
    SPECS.get_or_init(|| {
        [
            include_str!("../../models/pl532-mlp/manifest.json"),
            include_str!("../../models/pl405-mlp/manifest.json"),
            include_str!("../../models/ftir-mlp/manifest.json"),
        ]
        .iter()
        .map(|m| serde_json::from_str(m).expect("shipped manifest"))
        .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    // header: technique, excitation, unit; then f32 pairs
    let technique = ["pl", "ftir", "raman", "uvvis"][data[0] as usize % 4];
    let excitation = [405.0, 532.0, 633.0, 785.0][data[1] as usize % 4];
    let unit = ["nm", "cm-1", "raman shift", "um"][data[2] as usize % 4];
    let mut text =
        format!("# technique: {technique}\n# excitation_nm: {excitation}\n# x_unit: {unit}\n");
    let vals: Vec<f32> = data[3..]
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    for p in vals.chunks_exact(2) {
        text.push_str(&format!("{},{}\n", p[0], p[1]));
    }
    let Ok(spectra) = read_bytes("fuzz.csv", text.as_bytes()) else {
        return;
    };
    for s in &spectra {
        // the one stage: every model's feature row and the detector, as screening runs them
        let mut rows: Vec<Vec<f32>> = specs().iter().map(|m| vec![0f32; m.n_features()]).collect();
        let mut wanted: Vec<(&ModelSpec, &mut [f32])> = specs()
            .iter()
            .zip(rows.iter_mut())
            .map(|(m, r)| (m, r.as_mut_slice()))
            .collect();
        let _ = stage(s, &mut wanted);
    }
});
