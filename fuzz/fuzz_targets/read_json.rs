//! JSON stone files: any bytes after a '{' (so the sniffer picks the JSON reader).
#![no_main]
use diamond_screen::stage::findings;
use diamond_screen::spectrum::read_bytes;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut file = b"{".to_vec();
    file.extend_from_slice(data);
    if let Ok(spectra) = read_bytes("fuzz.json", &file) {
        for s in &spectra {
            let _ = findings(s);
        }
    }
});
