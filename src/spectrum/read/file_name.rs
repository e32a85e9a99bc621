//! The stone id a file's name gives, for files whose contents name none: the name less the
//! words at its end and start that name the measurement (`FN7112_PL_77K_10s.csv` and
//! `FTIR_FN7112.csv` -> `FN7112`, `SIM103-000000_pl532.csv` -> `SIM103-000000`). A name that
//! ends in anything else keeps every word: `scan_0001.csv`, `natural_FN7112_map0001.csv` and
//! `hpht_IIa_0005.csv` are stones of their own. Grouping those by their first word (the rule
//! before) fused every scan of an archive, and two natural stones of the fixtures, into one
//! stone and one verdict: a synthetic's spectrum could hide among natural ones. Neither error
//! is harmless: a stone whose files are named unalike (`X_PL_avg.csv`, `X_FTIR.csv`) is split,
//! and each part screened alone; a part may pass where the whole stone would be referred (a
//! synthetic's FTIR alone shows no synthetic marker where its PL shows SiV-). The README tells
//! labs to name a stone's files alike or put the id inside them.

use std::path::Path;

/// Words that name a technique, the measurement's kind or its temperature.
const MEASUREMENT_WORDS: &[&str] = &[
    "pl",
    "ftir",
    "ir",
    "nir",
    "mir",
    "raman",
    "uv",
    "vis",
    "uvvis",
    "uv-vis",
    "uv-vis-nir",
    "abs",
    "absorbance",
    "absorption",
    "transmittance",
    "transmission",
    "luminescence",
    "photoluminescence",
    "rt",
    "lnt",
    "ln2",
];

/// Units a number in a file name is a quantity of the measurement in: a laser (`532nm`), a
/// temperature (`77K`), a resolution (`4cm-1`), an exposure (`10s`, `500ms`), a power (`50mW`),
/// accumulations or scans (`3acc`, `64scans`, `10x`).
const UNITS: &[&str] = &[
    "nm", "k", "cm-1", "s", "sec", "ms", "us", "min", "mw", "w", "acc", "accs", "scan", "scans",
    "frames", "x",
];

/// The rest of `s` after a leading number (digits, a decimal point), or None where it does not
/// start with a digit.
fn after_number(s: &str) -> Option<&str> {
    s.bytes().next().filter(u8::is_ascii_digit)?;
    let end = s
        .bytes()
        .position(|b| !(b.is_ascii_digit() || b == b'.'))
        .unwrap_or(s.len());
    Some(&s[end..])
}

/// A number in one of [`UNITS`], optionally times a count (`8000msx8`), or a count times one
/// (`1x3s`).
fn quantity(w: &str) -> bool {
    let Some(rest) = after_number(w) else {
        return false;
    };
    let unit = |r: &str| UNITS.contains(&r);
    if let Some(times) = rest.strip_prefix('x')
        && after_number(times).is_some_and(unit)
    {
        return true;
    }
    UNITS.iter().any(|u| {
        rest.strip_prefix(u)
            .is_some_and(|r| r.is_empty() || r.strip_prefix('x').and_then(after_number) == Some(""))
    })
}

/// Whether `word` names the measurement: one of [`MEASUREMENT_WORDS`], a technique with its
/// laser (`pl532`, `raman785nm`), or a [`quantity`] of it (`532nm`, `77K`, `10s`). A bare
/// number does not (`0001` is a serial, and a laser written bare cannot be told from one).
fn names_the_measurement(word: &str) -> bool {
    let w = word.to_ascii_lowercase();
    if MEASUREMENT_WORDS.contains(&w.as_str()) {
        return true;
    }
    let laser = |digits: &str| digits.len() == 3 && digits.bytes().all(|b| b.is_ascii_digit());
    for technique in ["pl", "raman"] {
        if let Some(rest) = w.strip_prefix(technique) {
            let rest = rest.strip_prefix('-').unwrap_or(rest);
            if laser(rest.strip_suffix("nm").unwrap_or(rest)) {
                return true;
            }
        }
    }
    quantity(&w)
}

/// The stone id a file name gives: its stem less the `_`-separated words at its end, then at
/// its start, that name the measurement ([`names_the_measurement`]): `FN7112_PL_77K` and
/// `FTIR_FN7112` are both `FN7112`. A name of nothing but such words keeps its first.
pub fn stone_id_from_path(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let words: Vec<&str> = stem.split('_').collect();
    let Some(last) = words.iter().rposition(|w| !names_the_measurement(w)) else {
        return words[0].to_string();
    };
    let first = words[..last]
        .iter()
        .position(|w| !names_the_measurement(w))
        .unwrap_or(last);
    words[first..=last].join("_")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(name: &str) -> String {
        stone_id_from_path(Path::new(name))
    }

    #[test]
    fn measurement_words_at_the_end_name_the_channel() {
        assert_eq!(id("SIM103-000000_pl532.csv"), "SIM103-000000");
        assert_eq!(id("dir/SIM103-000000_ftir.csv"), "SIM103-000000");
        assert_eq!(id("AAA_pl405.csv"), "AAA");
        assert_eq!(id("FN7112_PL_295K.csv"), "FN7112");
        assert_eq!(id("FN7112_PL_77K_532nm.txt"), "FN7112");
        assert_eq!(id("stone 9_UV-Vis.csv"), "stone 9");
        assert_eq!(id("sample_1_pl532.csv"), "sample_1");
        assert_eq!(id("s4_Raman-785nm.spc"), "s4");
        assert_eq!(id("FN7112.csv"), "FN7112");
        // acquisition quantities: exposure, accumulations, power, resolution, scans
        assert_eq!(id("FN7112_PL_532nm_10s_3acc.csv"), "FN7112");
        assert_eq!(id("FN7112_FTIR_4cm-1_64scans.txt"), "FN7112");
        assert_eq!(id("S2_pl_50mW_0.5s_x.csv"), "S2_pl_50mW_0.5s_x");
        assert_eq!(id("PST10_iR785_OP01_8000msx8.txt"), "PST10_iR785_OP01");
        assert_eq!(
            id("nCal_Qontor785_z005H12_100_1x3s.wdf"),
            "nCal_Qontor785_z005H12_100"
        );
        assert_eq!(id("S3_Raman_10x.csv"), "S3");
        // measurement words first
        assert_eq!(id("FTIR_FN7112.csv"), "FN7112");
        assert_eq!(id("PL_77K_FN7112_532nm.csv"), "FN7112");
        assert_eq!(id("pl532_scan_0001.csv"), "scan_0001");
        // a name of nothing but measurement words keeps its first
        assert_eq!(id("PL_532nm.csv"), "PL");
        assert_eq!(id("pl532.csv"), "pl532");
    }

    #[test]
    fn serials_and_map_points_are_stones_of_their_own() {
        assert_eq!(id("scan_0001.csv"), "scan_0001");
        assert_eq!(id("scan_0002.csv"), "scan_0002");
        assert_eq!(id("natural_FN7112_map0001.csv"), "natural_FN7112_map0001");
        assert_eq!(id("natural_FN7114_map0004.csv"), "natural_FN7114_map0004");
        assert_eq!(id("hpht_IIa_0005.csv"), "hpht_IIa_0005");
        // a bare number is a serial, not a laser
        assert_eq!(id("stone_532.csv"), "stone_532");
        // a word after the measurement's keeps the whole name
        assert_eq!(id("FN7112_PL_295K_avg.csv"), "FN7112_PL_295K_avg");
        assert_eq!(id(""), "");
    }
}
