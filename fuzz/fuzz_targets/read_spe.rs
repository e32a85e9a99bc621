//! Princeton SPE: any bytes under an `.spe` name (the format has no signature), then the
//! detector on what was read.
#![no_main]
use diamond_screen::stage::findings;
use diamond_screen::spectrum::read_bytes;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(spectra) = read_bytes("fuzz.spe", data) {
        for s in &spectra {
            let _ = findings(s);
        }
    }
});
