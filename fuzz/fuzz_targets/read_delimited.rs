//! Delimited text: any bytes, read as a CSV/TSV/TXT upload, then the detector on what was read.
#![no_main]
use diamond_screen::lines::detect;
use diamond_screen::spectrum::read_bytes;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // A leading '{' or '##' would send the bytes to the JSON or JCAMP-DX reader.
    if data.first() == Some(&b'{') || data.starts_with(b"##") {
        return;
    }
    if let Ok(spectra) = read_bytes("fuzz.csv", data) {
        for s in &spectra {
            let _ = detect(s);
        }
    }
});
