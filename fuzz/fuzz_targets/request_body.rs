//! The service's request decoding: a JSON body as a stone, a batch or a parcel, and the stone's
//! spectra checked as the routes check them.
#![no_main]
use diamond_screen::spectrum::{StoneJson, from_stone_json};
use libfuzzer_sys::fuzz_target;

#[derive(serde::Deserialize)]
struct Batch {
    stones: Vec<StoneJson>,
}

fuzz_target!(|data: &[u8]| {
    if let Ok(stone) = serde_json::from_slice::<StoneJson>(data) {
        let _ = from_stone_json("fuzz", stone);
    }
    if let Ok(batch) = serde_json::from_slice::<Batch>(data) {
        for stone in batch.stones {
            let _ = from_stone_json("fuzz", stone);
        }
    }
});
