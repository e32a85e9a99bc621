//! Which binary reader, if any, a file is for: by signature, and by name where a format has
//! none (GRAMS SPC, Princeton SPE). `None` sends the file on to the text readers.

use super::{Raw, ReadErrorKind, sif, spe, vendor};

type Failure = (Option<usize>, ReadErrorKind);

pub(super) fn read(name: &str, bytes: &[u8]) -> Option<Result<Vec<Raw>, Failure>> {
    if bytes.starts_with(sif::MAGIC) {
        return Some(sif::read(bytes));
    }
    if bytes.starts_with(b"LabSpec6") || name.to_ascii_lowercase().ends_with(".l6s") {
        return Some(Err((
            None,
            ReadErrorKind::Refused(
                "Horiba LabSpec 6 .l6s is a binary format with no public description; export \
                 the spectrum from LabSpec as text (.txt) and read that"
                    .into(),
            ),
        )));
    }
    if spe::claims(name, bytes) {
        return Some(spe::read(bytes));
    }
    let claimed = vendor::read(name, bytes);
    if claimed.is_none() && name.to_ascii_lowercase().ends_with(".spc") && looks_binary(bytes) {
        return Some(Err((
            None,
            ReadErrorKind::Refused(
                "not a Galactic/GRAMS SPC file this reader knows (its version byte is not one \
                 of the SPC versions)"
                    .into(),
            ),
        )));
    }
    claimed
}

fn looks_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(512)].contains(&0)
}
