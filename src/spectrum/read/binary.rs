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
    vendor::read(name, bytes)
}
