//! Malformed input of every kind: each yields an error naming the file and the problem, and no
//! reader panics, on hand-made cases and on thousands of random mutations of real files.

mod common;

use diamond_screen::lines::detect;
use diamond_screen::spectrum::{ReadErrorKind, read_bytes};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn rows(n: usize) -> String {
    (0..n)
        .map(|i| format!("{},{}\n", 500 + i, 100 + i % 7))
        .collect()
}

fn jcamp(body: &str) -> String {
    format!(
        "##TITLE=t\n##JCAMP-DX=4.24\n##DATA TYPE=INFRARED SPECTRUM\n##XUNITS=1/CM\n##YUNITS=ABSORBANCE\n##FIRSTX=1000\n##LASTX=1019\n##NPOINTS=20\n##XYDATA=(X++(Y..Y))\n{body}##END=\n"
    )
}

/// (name, bytes, what the message must say)
fn cases() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let mut v: Vec<(&'static str, Vec<u8>, &'static str)> = vec![
        ("empty.csv", vec![], "no data points"),
        ("blank.csv", b"\n\n   \n".to_vec(), "no data points"),
        (
            "header_only.csv",
            b"# stone_id: A\nwavelength,counts\n".to_vec(),
            "no data points",
        ),
        (
            "nan.csv",
            format!("{}1,nan\n", rows(20)).into_bytes(),
            "NaN or infinite",
        ),
        (
            "inf.csv",
            format!("{}1e400,3\n", rows(20)).into_bytes(),
            "NaN or infinite",
        ),
        (
            "minus_inf.csv",
            format!("{}-inf,3\n", rows(20)).into_bytes(),
            "NaN or infinite",
        ),
        ("few.csv", rows(5).into_bytes(), "at least 16"),
        ("one_point.csv", b"500,1\n".to_vec(), "at least 16"),
        (
            "unsorted.csv",
            format!("{}3,3\n", rows(20)).into_bytes(),
            "not monotonic",
        ),
        (
            "text_in_data.csv",
            format!("{}hello,world\n", rows(20)).into_bytes(),
            "expected two numbers",
        ),
        (
            "one_column.csv",
            format!("{}42\n", rows(20)).into_bytes(),
            "found one",
        ),
        (
            "binary.bin",
            (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect(),
            "binary",
        ),
        (
            "utf16_garbage.csv",
            vec![0xFF, 0xFE, 0x00, 0xD8, 0x41, 0x00],
            "UTF-16",
        ),
        (
            "spa.spa",
            b"Spectral Data File\r\n\0\0\0\x01".to_vec(),
            "OMNIC",
        ),
        (
            "bad.json",
            b"{\"stone_id\": \"a\", \"spectra\": [".to_vec(),
            "invalid JSON",
        ),
        (
            "nan.json",
            b"{\"spectra\": [{\"x\": [1, NaN], \"y\": [1, 2]}]}".to_vec(),
            "invalid JSON",
        ),
        (
            "mismatch.json",
            b"{\"spectra\": [{\"x\": [1, 2, 3], \"y\": [1, 2]}]}".to_vec(),
            "x has 3 values",
        ),
        (
            "technique.json",
            b"{\"spectra\": [{\"technique\": \"xray\", \"x\": [1], \"y\": [1]}]}".to_vec(),
            "unknown technique",
        ),
        (
            "deep.json",
            "[".repeat(100_000).into_bytes(),
            "invalid JSON",
        ),
        (
            "truncated.jdx",
            jcamp("1000 A0J1J1J1J1J1J1J1J1J1J1J1J1J1J1J1J1J1J1J1\n")
                .replace("##END=\n", "")
                .into_bytes(),
            "##END",
        ),
        (
            "npoints.jdx",
            jcamp("1000 A0J1J1J1J1\n").into_bytes(),
            "NPOINTS",
        ),
        (
            "ycheck.jdx",
            jcamp("1000 A0JJJJJJJJJ\n1009 A3JJJJJJJJJJ\n").into_bytes(),
            "y-check",
        ),
        (
            "garbage.jdx",
            jcamp("1000 A0 !!!\n").into_bytes(),
            "unexpected character",
        ),
        (
            "missing.jdx",
            jcamp("1000 A0 ? A1\n").into_bytes(),
            "missing value",
        ),
        (
            "ntuples.jdx",
            b"##TITLE=x\n##JCAMP-DX=5.0\n##NTUPLES=NMR FID\n##END=\n".to_vec(),
            "not supported",
        ),
        (
            "peaks.jdx",
            b"##TITLE=x\n##JCAMP-DX=5.0\n##PEAK TABLE=(XY..XY)\n1,2\n##END=\n".to_vec(),
            "not supported",
        ),
        (
            "dup_bomb.jdx",
            jcamp("1000 A0s99999999\n").into_bytes(),
            "points",
        ),
        (
            "huge_npoints.jdx",
            b"##TITLE=x\n##JCAMP-DX=5.0\n##NPOINTS=5000000\n##XYDATA=(X++(Y..Y))\n##END=\n"
                .to_vec(),
            "at most",
        ),
        (
            "bad_factor.jdx",
            jcamp("")
                .replace("##NPOINTS=20", "##YFACTOR=abc")
                .into_bytes(),
            "not a number",
        ),
    ];
    // 5 million points of delimited text: over the point limit
    let big: String = (0..2_000_001u32).map(|i| format!("{i} 1\n")).collect();
    v.push(("big.txt", big.into_bytes(), "at most 2000000"));
    v
}

#[test]
fn every_malformed_case_is_a_clear_error() {
    for (name, bytes, says) in cases() {
        let e = match read_bytes(name, &bytes) {
            Ok(s) => panic!("{name}: read {} spectra, expected an error", s.len()),
            Err(e) => e,
        };
        let msg = e.to_string();
        assert!(
            msg.starts_with(name),
            "{name}: message does not name the file: {msg}"
        );
        assert!(msg.contains(says), "{name}: {msg:?} does not say {says:?}");
    }
}

#[test]
fn errors_carry_the_line() {
    let e = read_bytes("x.csv", format!("{}12,abc\n", rows(20)).as_bytes()).unwrap_err();
    assert_eq!(e.line, Some(21));
    assert!(matches!(e.kind, ReadErrorKind::Syntax(_)));
}

#[test]
fn wrong_units_are_kept_or_reported_not_guessed() {
    // A unit nobody converts is kept by name; the detector then says it cannot use the axis.
    let text = format!(
        "# technique: pl\n# excitation_nm: 532\n# x_unit: furlongs\n{}",
        rows(40)
    );
    let s = &read_bytes("furlongs.csv", text.as_bytes()).unwrap()[0];
    let d = detect(s);
    assert!(!d.quality.usable);
    assert!(
        d.quality.problems.iter().any(|p| p.contains("furlongs")),
        "{:?}",
        d.quality.problems
    );
    // Raman shift without an excitation wavelength cannot become nm.
    let text = format!("# technique: pl\n# x_unit: raman shift\n{}", rows(40));
    let s = &read_bytes("shift.csv", text.as_bytes()).unwrap()[0];
    let d = detect(s);
    assert!(
        d.quality.problems.iter().any(|p| p.contains("excitation")),
        "{:?}",
        d.quality.problems
    );
}

/// Random byte-level mutations of real and simulated files: readers and the detector return,
/// whatever they are fed.
#[test]
fn mutated_files_never_panic() {
    let mut seeds: Vec<(String, Vec<u8>)> = Vec::new();
    for sub in ["csv", "jcamp", "json"] {
        let path = common::project_dir().join("sample-spectra").join(sub);
        for e in std::fs::read_dir(&path).unwrap().flatten() {
            seeds.push((
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            ));
        }
    }
    if let Some(fx) = common::shared_fixtures() {
        for sub in ["jcamp", "ftir"] {
            for e in std::fs::read_dir(fx.join(sub)).unwrap().flatten() {
                let bytes = std::fs::read(e.path()).unwrap();
                // keep the mutation run quick: the first 20 kB carry every header form
                seeds.push((
                    e.file_name().to_string_lossy().into_owned(),
                    bytes[..bytes.len().min(20_000)].to_vec(),
                ));
            }
        }
    }
    assert!(!seeds.is_empty());
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let alphabet = b"0123456789.,;+-eE \t\n#=:@ABCIJRSsZ%?$nanif";
    for round in 0..3000 {
        let (name, base) = &seeds[round % seeds.len()];
        let mut b = base.clone();
        for _ in 0..rng.gen_range(1..8) {
            if b.is_empty() {
                break;
            }
            let i = rng.gen_range(0..b.len());
            match rng.gen_range(0..4) {
                0 => b[i] = alphabet[rng.gen_range(0..alphabet.len())],
                1 => {
                    b.remove(i);
                }
                2 => b.truncate(i),
                _ => b.insert(i, alphabet[rng.gen_range(0..alphabet.len())]),
            }
        }
        if let Ok(spectra) = read_bytes(name, &b) {
            for s in &spectra {
                let _ = detect(s);
            }
        }
    }
}
