//! JCAMP-DX: any bytes after a minimal header (so the sniffer picks the JCAMP-DX reader), then
//! the detector on what was read.
#![no_main]
use diamond_screen::stage::findings;
use diamond_screen::spectrum::read::{Format, sniff, text};
use diamond_screen::spectrum::read_bytes;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut file = b"##TITLE=fuzz\n".to_vec();
    file.extend_from_slice(data);
    // Without a JCAMP-DX data label the sniffer sends the text to the delimited reader, which
    // has its own target.
    if text::decode(&file).is_ok_and(|t| sniff(&t) != Format::Jcamp) {
        return;
    }
    if let Ok(spectra) = read_bytes("fuzz.jdx", &file) {
        for s in &spectra {
            let _ = findings(s);
        }
    }
});
