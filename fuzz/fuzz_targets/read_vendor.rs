//! The vendor binaries read through openreadout-spectro (OPUS, OMNIC, WiRE, SPC, ...): the first
//! byte picks the file name (SPC is recognised by its name), the rest is the file; then the
//! detector on what was read.
#![no_main]
use diamond_screen::stage::findings;
use diamond_screen::spectrum::read_bytes;
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 8] = [
    "fuzz.0", "fuzz.spa", "fuzz.wdf", "fuzz.spc", "fuzz.spg", "fuzz.sp", "fuzz.jws", "fuzz.1",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, file)) = data.split_first() else {
        return;
    };
    if let Ok(spectra) = read_bytes(NAMES[usize::from(pick) % NAMES.len()], file) {
        for s in &spectra {
            let _ = findings(s);
        }
    }
});
