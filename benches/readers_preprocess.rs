//! Readers (MB/s) and preprocessing (spectra/s) on 2,048-point simulated spectra.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use diamond_screen::lines::detect;
use diamond_screen::preprocess::{Grid, NormMethod, Protocol, Step};
use diamond_screen::simulate::write::{to_csv, to_jcamp, to_json_stone};
use diamond_screen::simulate::{Channel, Kind, simulate_kind, stone_rng};
use diamond_screen::spectrum::{Spectrum, XUnit, read_bytes};
use std::hint::black_box;

/// A 2,048-point PL spectrum at 532 nm and an FTIR spectrum resampled to 2,048 points.
fn spectra() -> (Spectrum, Spectrum) {
    for i in 0.. {
        let mut rng = stone_rng(7, i);
        let s = simulate_kind(
            &mut rng,
            format!("B{i}"),
            Kind::CvdAsGrown,
            &[Channel::Pl532, Channel::Ftir],
            diamond_screen::simulate::Family::Original,
        );
        let pl = &s.spectra[0].1;
        if pl.len() == 2048 {
            let mut ftir = s.spectra[1].1.clone();
            let n = ftir.len().min(2048);
            ftir.x.truncate(n);
            ftir.y.truncate(n);
            return (pl.clone(), ftir);
        }
    }
    unreachable!()
}

fn pl_protocol() -> Protocol {
    Protocol {
        name: "bench-pl532".into(),
        x_unit: XUnit::Nm,
        steps: vec![
            Step::Crop {
                lo: 540.0,
                hi: 900.0,
            },
            Step::Despike {
                threshold: 8.0,
                half_window: 3,
            },
            Step::Resample {
                grid: Grid {
                    start: 540.0,
                    stop: 900.0,
                    n: 2048,
                },
            },
            Step::Smooth {
                window: 7,
                polyorder: 2,
            },
            Step::Baseline {
                lam: 1e6,
                max_iter: 50,
                tol: 1e-3,
                decimate: 1,
            },
            Step::Normalise {
                method: NormMethod::RamanArea,
            },
        ],
    }
}

fn readers(c: &mut Criterion) {
    let (pl, ftir) = spectra();
    let mut g = c.benchmark_group("read");
    let csv = to_csv(&pl);
    g.throughput(Throughput::Bytes(csv.len() as u64));
    g.bench_function("csv_2048", |b| {
        b.iter(|| read_bytes("a.csv", black_box(csv.as_bytes())).unwrap())
    });
    let jdx = to_jcamp(&ftir);
    g.throughput(Throughput::Bytes(jdx.len() as u64));
    g.bench_function("jcamp_difdup_2048", |b| {
        b.iter(|| read_bytes("a.jdx", black_box(jdx.as_bytes())).unwrap())
    });
    let jdx_xy = to_jcamp(&pl);
    g.throughput(Throughput::Bytes(jdx_xy.len() as u64));
    g.bench_function("jcamp_xypoints_2048", |b| {
        b.iter(|| read_bytes("a.jdx", black_box(jdx_xy.as_bytes())).unwrap())
    });
    let json = serde_json::to_string(&to_json_stone("S", &[&pl])).unwrap();
    g.throughput(Throughput::Bytes(json.len() as u64));
    g.bench_function("json_2048", |b| {
        b.iter(|| read_bytes("a.json", black_box(json.as_bytes())).unwrap())
    });
    g.finish();
}

fn preprocessing(c: &mut Criterion) {
    let (pl, _) = spectra();
    let protocol = pl_protocol();
    let mut g = c.benchmark_group("preprocess");
    g.throughput(Throughput::Elements(1));
    g.bench_function("protocol_pl532_2048", |b| {
        b.iter(|| protocol.prepare(black_box(&pl), None).unwrap())
    });
    g.bench_function("detect_pl532_2048", |b| b.iter(|| detect(black_box(&pl))));
    g.finish();
}

criterion_group!(benches, readers, preprocessing);
criterion_main!(benches);
