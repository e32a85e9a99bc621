//! Andor SIF: any bytes after the signature line (so the SIF reader is chosen), then the
//! detector on what was read.
#![no_main]
use diamond_screen::stage::findings;
use diamond_screen::spectrum::read_bytes;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut file = b"Andor Technology Multi-Channel File\n".to_vec();
    file.extend_from_slice(data.strip_prefix(b"Andor Technology Multi-Channel File\n".as_slice()).unwrap_or(data));
    if let Ok(spectra) = read_bytes("fuzz.sif", &file) {
        for s in &spectra {
            let _ = findings(s);
        }
    }
});
