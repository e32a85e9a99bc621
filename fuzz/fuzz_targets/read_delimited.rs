//! Delimited text: any bytes, read as a CSV/TSV/TXT upload, then the detector on what was read.
#![no_main]
use diamond_screen::stage::findings;
use diamond_screen::spectrum::read::{Format, sniff, text};
use diamond_screen::spectrum::read_bytes;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Bytes the sniffer sends to the JSON or JCAMP-DX reader (after decoding UTF-16 or Latin-1,
    // as the reader does) belong to those readers' targets; without this, most new coverage
    // here was serde_json's.
    if text::decode(data).is_ok_and(|t| sniff(&t) != Format::Delimited) {
        return;
    }
    if let Ok(spectra) = read_bytes("fuzz.csv", data) {
        for s in &spectra {
            let _ = findings(s);
        }
    }
});
