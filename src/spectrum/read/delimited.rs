//! Delimited text: two (or more) numeric columns separated by comma, tab, semicolon or
//! whitespace, x first and y second. Before the data may come metadata lines (`# key: value`,
//! `# key=value`, RRUFF-style `##KEY=value`, OceanView's `Key: value`) and one header row of
//! column names, which may carry the units (`Wavelength (nm)`). The Thermo OMNIC CSV export is
//! simply two columns with no header. Decimal commas are accepted with `;` or tab separators.

use super::{Raw, ReadErrorKind};
use crate::spectrum::metadata::{Key, Metadata};
use crate::spectrum::units::{XUnit, YUnit};

type Failure = (Option<usize>, ReadErrorKind);

#[derive(Clone, Copy, PartialEq, Eq)]
enum Delim {
    Tab,
    Semicolon,
    Comma,
    Space,
}

impl Delim {
    fn detect(line: &str) -> Delim {
        if line.contains('\t') {
            Delim::Tab
        } else if line.contains(';') {
            Delim::Semicolon
        } else if line.contains(',') {
            Delim::Comma
        } else {
            Delim::Space
        }
    }
}

enum Row {
    Numbers(f64, f64),
    NonFinite,
    NotNumeric,
    OneNumber,
}

fn parse_field(f: &str, decimal_comma: bool) -> Option<f64> {
    let f = f.trim();
    if decimal_comma && f.contains(',') && !f.contains('.') {
        f.replace(',', ".").parse().ok()
    } else {
        f.parse().ok()
    }
}

/// The common data row, `x<sep>y` with plain numbers, parsed straight from the bytes (no field
/// splitting or trimming); None sends the row to the general path, which gives the same
/// numbers (both parsers round correctly) and every error message.
fn fast_pair(t: &str, delim: Delim) -> Option<(f64, f64)> {
    let b = t.as_bytes();
    let sep = match delim {
        Delim::Tab => b'\t',
        Delim::Semicolon => b';',
        Delim::Comma => b',',
        Delim::Space => b' ',
    };
    let (x, n) = fast_float2::parse_partial::<f64, _>(b).ok()?;
    let mut i = n;
    while i < b.len() && b[i] == b' ' {
        i += 1;
    }
    if sep != b' ' {
        if b.get(i) != Some(&sep) {
            return None;
        }
        i += 1;
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
    } else if i == n {
        return None;
    }
    let (y, m) = fast_float2::parse_partial::<f64, _>(&b[i..]).ok()?;
    // More columns may follow; anything glued to the number may not.
    let ends = match b.get(i + m) {
        None => true,
        Some(&c) => c == sep || c == b' ' || c == b'\t',
    };
    (ends && x.is_finite() && y.is_finite()).then_some((x, y))
}

fn parse_row(line: &str, delim: Delim) -> Row {
    if let Some((x, y)) = fast_pair(line, delim) {
        return Row::Numbers(x, y);
    }
    match delim {
        Delim::Tab => parse_fields(line.split('\t'), true),
        Delim::Semicolon => parse_fields(line.split(';'), true),
        Delim::Comma => parse_fields(line.split(','), false),
        Delim::Space => parse_fields(line.split_ascii_whitespace(), false),
    }
}

fn parse_fields<'a>(fields: impl Iterator<Item = &'a str>, decimal_comma: bool) -> Row {
    let mut vals = [0.0f64; 2];
    let mut n = 0;
    for f in fields {
        if f.trim().is_empty() {
            continue; // trailing separators, repeated tabs
        }
        match parse_field(f, decimal_comma) {
            Some(v) => {
                vals[n] = v;
                n += 1;
                if n == 2 {
                    break;
                }
            }
            None => return Row::NotNumeric,
        }
    }
    match n {
        2 if vals[0].is_finite() && vals[1].is_finite() => Row::Numbers(vals[0], vals[1]),
        2 => Row::NonFinite,
        1 => Row::OneNumber,
        _ => Row::NotNumeric,
    }
}

/// Split `key: value` / `key=value` at whichever separator comes first.
fn key_value(s: &str) -> Option<(&str, &str)> {
    let i = s.find([':', '='])?;
    let (k, v) = (s[..i].trim(), s[i + 1..].trim());
    (!k.is_empty()).then_some((k, v))
}

pub(crate) fn read(text: &str) -> Result<Raw, Failure> {
    let mut meta = Metadata::default();
    let mut x_unit: Option<XUnit> = None;
    let mut y_unit: Option<YUnit> = None;
    let mut x = Vec::new();
    let mut y = Vec::new();
    let mut lines = Vec::new();
    let mut delim: Option<Delim> = None;

    for (i, line) in text.lines().enumerate() {
        let lineno = i + 1;
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        // bytes, not a str slice: the fifth byte may fall inside a multi-byte character
        let upper_end = t
            .as_bytes()
            .get(..5)
            .is_some_and(|b| b.eq_ignore_ascii_case(b"##END"));
        if upper_end || t.starts_with(">>>>>End") {
            break;
        }
        if t.starts_with('>') {
            continue; // OceanView ">>>>>Begin Spectral Data<<<<<"
        }
        if let Some(c) = t
            .strip_prefix('#')
            .or_else(|| t.strip_prefix('%'))
            .or_else(|| t.strip_prefix("//"))
        {
            let c = c.trim_start_matches(['#', '%', ' ']);
            if let Some((k, v)) = key_value(c) {
                record(&mut meta, &mut x_unit, &mut y_unit, k, v);
            }
            continue;
        }
        let d = *delim.get_or_insert_with(|| Delim::detect(t));
        match parse_row(t, d) {
            Row::Numbers(a, b) => {
                x.push(a);
                y.push(b);
                lines.push(lineno);
            }
            Row::NonFinite => return Err((Some(lineno), ReadErrorKind::NonFinite)),
            Row::OneNumber if !x.is_empty() => {
                return Err((
                    Some(lineno),
                    ReadErrorKind::Syntax("expected two numbers (x and y), found one".into()),
                ));
            }
            Row::OneNumber | Row::NotNumeric if x.is_empty() => {
                // Still in the header block: metadata or the column-name row.
                delim = None;
                if let Some((k, v)) = key_value(t).filter(|(k, _)| !k.contains([',', '\t', ';'])) {
                    record(&mut meta, &mut x_unit, &mut y_unit, k, v);
                } else {
                    header_row(t, &mut x_unit, &mut y_unit);
                }
            }
            _ => {
                let shown: String = t.chars().take(40).collect();
                return Err((
                    Some(lineno),
                    ReadErrorKind::Syntax(format!("expected two numbers, found {shown:?}")),
                ));
            }
        }
    }
    if x.is_empty() {
        return Err((None, ReadErrorKind::Empty));
    }
    Ok(Raw {
        x,
        y,
        lines,
        x_unit,
        y_unit,
        meta,
    })
}

fn record(
    meta: &mut Metadata,
    x_unit: &mut Option<XUnit>,
    y_unit: &mut Option<YUnit>,
    k: &str,
    v: &str,
) {
    match meta.set(k, v) {
        Key::XUnit => *x_unit = Some(XUnit::parse(v)),
        Key::YUnit => *y_unit = Some(YUnit::parse(v)),
        _ => {}
    }
}

/// A row of column names such as `Wavelength (nm),Intensity`: take units it names.
fn header_row(t: &str, x_unit: &mut Option<XUnit>, y_unit: &mut Option<YUnit>) {
    let mut names = t
        .split(['\t', ';', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if let Some(first) = names.next() {
        let u = XUnit::parse(first);
        if !matches!(u, XUnit::Other(_)) && x_unit.is_none() {
            *x_unit = Some(u);
        }
    }
    if let Some(second) = names.next() {
        let u = YUnit::parse(second);
        if !matches!(u, YUnit::Other(_)) && y_unit.is_none() {
            *y_unit = Some(u);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slow(line: &str, d: Delim) -> Option<(f64, f64)> {
        let decimal_comma = matches!(d, Delim::Tab | Delim::Semicolon);
        let row = match d {
            Delim::Tab => parse_fields(line.split('\t'), decimal_comma),
            Delim::Semicolon => parse_fields(line.split(';'), decimal_comma),
            Delim::Comma => parse_fields(line.split(','), false),
            Delim::Space => parse_fields(line.split_ascii_whitespace(), false),
        };
        match row {
            Row::Numbers(a, b) => Some((a, b)),
            _ => None,
        }
    }

    #[test]
    fn multibyte_characters_near_the_start_of_a_line_are_no_panic() {
        // found by the read_delimited fuzz target: `t[..5]` cut 'ÿ' in two
        for line in [
            "##FI\u{ff}\u{ff}~=1000",
            "# si\u{ff}\u{ff}mulated: true",
            "abcd\u{20ac}",
        ] {
            let text = format!("{line}\n{}", rows(20, ","));
            assert!(read(&text).is_ok(), "{line:?}");
        }
    }

    #[test]
    fn fast_rows_equal_the_general_path_bit_for_bit() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let mut fast_taken = 0;
        for i in 0..20_000 {
            let a: f64 = rng.gen_range(-1e4..1e4) * 10f64.powi(rng.gen_range(-30..30));
            let b: f64 = rng.gen_range(-1e6..1e6);
            let (sa, sb) = match i % 4 {
                0 => (format!("{a}"), format!("{b}")),
                1 => (format!("{a:e}"), format!("{b:.3}")),
                2 => (format!("{a:.12}"), format!("{b:E}")),
                _ => (format!("+{}", a.abs()), format!("{}", b as i64)),
            };
            for (d, sep) in [
                (Delim::Comma, ","),
                (Delim::Comma, ", "),
                (Delim::Tab, "\t"),
                (Delim::Semicolon, ";"),
                (Delim::Space, "   "),
            ] {
                let line = format!("{sa}{sep}{sb}");
                let want = slow(&line, d);
                if let Some((x, y)) = fast_pair(&line, d) {
                    fast_taken += 1;
                    let (wx, wy) = want.unwrap_or_else(|| panic!("{line:?}: general path refuses"));
                    assert_eq!(
                        (x.to_bits(), y.to_bits()),
                        (wx.to_bits(), wy.to_bits()),
                        "{line:?}"
                    );
                }
            }
        }
        assert!(
            fast_taken > 90_000,
            "the fast path took only {fast_taken} rows"
        );
        // rows the fast path leaves to the general one
        for (line, d) in [
            ("1,5;2,5", Delim::Semicolon),
            ("1.5x,2", Delim::Comma),
            ("1,2x", Delim::Comma),
            ("1\t\t2", Delim::Tab),
            ("inf,2", Delim::Comma),
            ("1,NaN", Delim::Comma),
            ("12", Delim::Space),
        ] {
            assert!(fast_pair(line, d).is_none(), "{line:?}");
        }
    }

    fn rows(n: usize, sep: &str) -> String {
        (0..n)
            .map(|i| format!("{}{sep}{}\n", 500 + i, i * 2))
            .collect()
    }

    #[test]
    fn separators_and_headers() {
        for sep in [",", "\t", ";", "  ", " , "] {
            let r = read(&rows(20, sep)).ok().unwrap();
            assert_eq!(r.x.len(), 20, "sep {sep:?}");
            assert_eq!(r.y[3], 6.0);
        }
        let text = format!(
            "# stone_id: S1\n# technique: pl\n# excitation_nm=532\n# x_unit: nm\nWavelength (nm),Counts\n{}",
            rows(20, ",")
        );
        let r = read(&text).ok().unwrap();
        assert_eq!(r.meta.stone_id.as_deref(), Some("S1"));
        assert_eq!(r.meta.excitation_nm, Some(532.0));
        assert_eq!(r.x_unit, Some(XUnit::Nm));
        assert_eq!(r.y_unit, Some(YUnit::Counts));
        assert_eq!(r.lines[0], 6);
    }

    #[test]
    fn rruff_and_oceanview_headers() {
        let rruff = format!(
            "##NAMES=Diamond\n##RRUFFID=R050204\n##LOCALITY=x\n{}##END=\n",
            rows(20, ", ")
        );
        let r = read(&rruff).ok().unwrap();
        assert_eq!(r.meta.title.as_deref(), Some("Diamond"));
        assert_eq!(r.x.len(), 20);
        let ocean = format!(
            "Data from x.txt Node\nDate: Mon Jan 01\nIntegration Time (sec): 1.0E0\n>>>>>Begin Spectral Data<<<<<\n{}>>>>>End Spectral Data<<<<<\n",
            rows(20, "\t")
        );
        let r = read(&ocean).ok().unwrap();
        assert_eq!(r.x.len(), 20);
        assert!(r.meta.extra.contains_key("Integration Time (sec)"));
    }

    #[test]
    fn decimal_comma_and_scientific() {
        let t: String = (0..20)
            .map(|i| format!("{},5;1,5e+002\n", 500 + i))
            .collect();
        let r = read(&t).ok().unwrap();
        assert_eq!(r.x[0], 500.5);
        assert_eq!(r.y[0], 150.0);
    }

    #[test]
    fn bad_rows_are_located() {
        let mut t = rows(20, ",");
        t.push_str("12,abc\n");
        assert_eq!(read(&t).err().unwrap().0, Some(21));
        let mut t = rows(20, ",");
        t.push_str("12\n");
        assert_eq!(read(&t).err().unwrap().0, Some(21));
        let t = format!("{}1,inf\n", rows(3, ","));
        assert!(matches!(
            read(&t).err().unwrap(),
            (Some(4), ReadErrorKind::NonFinite)
        ));
        assert!(matches!(
            read("# only: header\n").err().unwrap().1,
            ReadErrorKind::Empty
        ));
    }
}
