//! Reading speed of the vendor readers on the real files in `../shared/lab-files/` (read from
//! memory, one core), beside the text twins of the same spectra: MB/s of file bytes. Skips when
//! the folder is absent.
//!
//!     cargo bench --bench vendor_readers

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use diamond_screen::spectrum::read_bytes;
use std::hint::black_box;
use std::path::PathBuf;

fn vendor(c: &mut Criterion) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/lab-files/formats");
    if !dir.is_dir() {
        eprintln!("skipping: ../shared/lab-files is absent");
        return;
    }
    let opus = "opus/FN7112-diamond-500scans-up_to_4000cm-no_atm_comp-2cm-1.0";
    let opus_dpt = format!("{opus}.dpt");
    let cases = [
        ("opus", opus),
        ("opus_dpt_text_twin", opus_dpt.as_str()),
        ("omnic_spa", "spa/7112 map 50 mkm0059.spa"),
        ("omnic_csv_text_twin", "spa/7112 map 50 mkm0059.CSV"),
        ("wdf", "wdf/nCal_Qontor785_z005H12_100_1x3s.wdf"),
        (
            "wdf_txt_text_twin",
            "wdf/nCal_Qontor785_z005H12_100_1x3s.txt",
        ),
        ("spc", "spc/PST10_iR532_Probe_100_3000msx7.spc"),
        (
            "bwtek_txt_text_twin",
            "spc/PST10_iR532_Probe_100_3000msx7.txt",
        ),
        ("sif", "sif/raman1.sif"),
        ("sif_asc_text_twin", "sif/raman1.asc"),
        ("spe", "spe/S0N_50x.spe"),
    ];
    let mut g = c.benchmark_group("vendor_read");
    g.sample_size(30);
    for (id, rel) in cases {
        let path = dir.join(rel);
        let bytes = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function(id, |b| {
            b.iter(|| read_bytes(&name, black_box(&bytes)).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, vendor);
criterion_main!(benches);
