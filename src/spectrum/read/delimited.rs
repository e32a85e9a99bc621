//! Delimited text: two (or more) numeric columns separated by comma, tab, semicolon or
//! whitespace, x first and y second. Before the data may come metadata lines (`# key: value`,
//! `# key=value`, RRUFF-style `##KEY=value`, OceanView's `Key: value`) and one header row of
//! column names, which may carry the units (`Wavelength (nm)`). The Thermo OMNIC CSV export is
//! simply two columns with no header. Decimal commas are accepted with `;` or tab separators.

use super::{Raw, ReadErrorKind};
use crate::spectrum::metadata::{Key, Metadata, classify_key, leading_number};
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

/// How a row writes its numbers.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Marks {
    /// `.` decimals only (comma- and space-delimited rows).
    Point,
    /// `.` decimals, or a decimal comma in a field without `.` (tab- and semicolon-delimited
    /// rows of European exports).
    Comma,
    /// `.` decimals and `,` between thousands (`596.03<TAB>1,074.7`, `12,345`): a tab- or
    /// semicolon-delimited row writing `.` and `,` both (spreadsheet exports).
    PointGrouped,
    /// `,` decimals and `.` between thousands (`1.074,7`): a field writing both, `,` last.
    CommaGrouped,
}

/// The marks of a tab- or semicolon-delimited row split at `sep`: a field writing both `.`
/// and `,` decides (the last one is the decimal mark); a row writing both in different fields
/// writes `.` decimals (a decimal comma beside a decimal point is not one locale's row).
fn marks_of(line: &str, sep: char) -> Marks {
    if !(line.contains(',') && line.contains('.')) {
        return Marks::Comma;
    }
    for f in line.split(sep) {
        if let (Some(p), Some(c)) = (f.rfind('.'), f.rfind(',')) {
            return if p > c {
                Marks::PointGrouped
            } else {
                Marks::CommaGrouped
            };
        }
    }
    Marks::PointGrouped
}

fn parse_field(f: &str, marks: Marks) -> Option<f64> {
    let f = unquote(f);
    match marks {
        Marks::Comma if f.contains(',') && !f.contains('.') => f.replace(',', ".").parse().ok(),
        Marks::Point | Marks::Comma => f.parse().ok(),
        Marks::PointGrouped => ungrouped(f, ',', '.')?.parse().ok(),
        Marks::CommaGrouped => ungrouped(f, '.', ',')?.replace(',', ".").parse().ok(),
    }
}

/// `f` without the thousands marks `group` of its integer part (`1,074.7` -> `1074.7`); None
/// where they do not group thousands (a first group of 1-3 digits not starting with 0, then
/// groups of three), so that `12,34` or `0,987` beside a decimal point is an error, not a
/// number.
fn ungrouped(f: &str, group: char, decimal: char) -> Option<std::borrow::Cow<'_, str>> {
    if !f.contains(group) {
        return Some(f.into());
    }
    let (int, rest) = f.split_at(f.find(decimal).unwrap_or(f.len()));
    if rest.contains(group) {
        return None;
    }
    let digits = int.strip_prefix(['-', '+']).unwrap_or(int);
    let all_digits = |g: &str| g.bytes().all(|b| b.is_ascii_digit());
    let mut groups = digits.split(group);
    let first = groups.next()?;
    let first_ok = (1..=3).contains(&first.len()) && all_digits(first) && !first.starts_with('0');
    if !first_ok || !groups.all(|g| g.len() == 3 && all_digits(g)) {
        return None;
    }
    Some(format!("{}{rest}", int.replace(group, "")).into())
}

/// A field without its surrounding blanks and double quotes (spreadsheet and LIMS exports quote
/// every field: `"532.1","1044"`).
fn unquote(f: &str) -> &str {
    let f = f.trim();
    f.strip_prefix('"')
        .and_then(|g| g.strip_suffix('"'))
        .map_or(f, str::trim)
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
        Delim::Tab => parse_fields(line.split('\t'), marks_of(line, '\t')),
        Delim::Semicolon => parse_fields(line.split(';'), marks_of(line, ';')),
        Delim::Comma => parse_fields(line.split(','), Marks::Point),
        Delim::Space => parse_fields(line.split_ascii_whitespace(), Marks::Point),
    }
}

fn parse_fields<'a>(fields: impl Iterator<Item = &'a str>, marks: Marks) -> Row {
    let mut vals = [0.0f64; 2];
    let mut n = 0;
    for f in fields {
        if f.trim().is_empty() {
            continue; // trailing separators, repeated tabs
        }
        match parse_field(f, marks) {
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

/// Columns chosen by name from a header row: the spectral axis and the intensity column(s).
#[derive(Debug, Clone, PartialEq)]
struct Columns {
    x: usize,
    ys: Vec<usize>,
    names: Vec<String>,
}

/// What the header lines said, beyond the typed metadata: vendor conventions that change how
/// the data are read.
#[derive(Default)]
struct Header {
    meta: Metadata,
    x_unit: Option<XUnit>,
    y_unit: Option<YUnit>,
    columns: Option<Columns>,
    /// A Horiba LabSpec export (`#Spectro (cm-¹)=`, `#Acq. time (s)=`...): temperatures in °C.
    labspec: bool,
    /// The sample temperature as written, decided once every header line is seen.
    temperature: Option<(String, String)>,
}

pub(crate) fn read(text: &str) -> Result<Vec<Raw>, Failure> {
    let mut h = Header::default();
    let mut x = Vec::new();
    let mut ys: Vec<Vec<f64>> = Vec::new();
    let mut lines = Vec::new();
    let mut delim: Option<Delim> = None;
    let mut blank_x = 0usize;
    let mut trailer = false;
    let mut blank_after_data = false;

    for (i, line) in text.lines().enumerate() {
        let lineno = i + 1;
        let t = line.trim();
        if t.is_empty() {
            blank_after_data |= !x.is_empty();
            continue;
        }
        if trailer {
            let d = delim.unwrap_or(Delim::Space);
            if let Some((k, v)) = trailer_pair(t, d) {
                h.meta.extra.insert(k.to_string(), v.to_string());
            } else if matches!(parse_row(t, d), Row::Numbers(..)) {
                // numbers again after the footer began: a second block of data, which a
                // footer must not hide
                return Err((
                    Some(lineno),
                    ReadErrorKind::Syntax(
                        "data rows again after a footer (a second spectrum below the first?): \
                         export one spectrum per file, or its spectra side by side"
                            .into(),
                    ),
                ));
            }
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
                record(&mut h, k, v);
            } else if x.is_empty() && c.contains(['\t', ';', ',']) {
                // Column names in a comment (qudi's `# wavelength (m)\tsignal (counts/s)`).
                let _ = header_row(c, &mut h);
            }
            continue;
        }
        let d = *delim.get_or_insert_with(|| Delim::detect(t));
        let row = match &h.columns {
            Some(cols) if !(cols.x == 0 && cols.ys == [1]) => parse_columns(t, d, cols),
            _ => match parse_row(t, d) {
                Row::Numbers(a, b) => Picked::Pair(a, b),
                Row::NonFinite => Picked::NonFinite,
                Row::OneNumber => Picked::OneNumber,
                Row::NotNumeric => Picked::NotNumeric,
            },
        };
        match row {
            Picked::Pair(a, b) => {
                if ys.is_empty() {
                    ys.push(Vec::new());
                }
                x.push(a);
                ys[0].push(b);
                lines.push(lineno);
            }
            Picked::Values(a, b) => {
                if ys.is_empty() {
                    ys = vec![Vec::new(); b.len()];
                }
                x.push(a);
                for (col, v) in ys.iter_mut().zip(b) {
                    col.push(v);
                }
                lines.push(lineno);
            }
            Picked::BlankX => blank_x += 1,
            Picked::NonFinite => return Err((Some(lineno), ReadErrorKind::NonFinite)),
            Picked::OneNumber if !x.is_empty() => {
                return Err((
                    Some(lineno),
                    ReadErrorKind::Syntax("expected two numbers (x and y), found one".into()),
                ));
            }
            Picked::OneNumber | Picked::NotNumeric if x.is_empty() => {
                // Still in the header block: metadata or the column-name row.
                delim = None;
                if let Some((k, v)) = key_value(t).filter(|(k, _)| !k.contains([',', '\t', ';'])) {
                    record(&mut h, k, v);
                } else if let Some((k, v)) = semicolon_pair(t) {
                    record(&mut h, k, &v);
                } else {
                    header_row(t, &mut h)?;
                }
            }
            Picked::NotNumeric
                if blank_after_data && (trailer_pair(t, d).is_some() || footer_title(t)) =>
            {
                // A trailer after the data and a blank line (Andor Solis' ASCII export,
                // `Integration time,1000` footers of other software, a Cary export's
                // `METHOD` block): acquisition settings (a camera's temperature is the
                // detector's, not the sample's), kept as-is.
                trailer = true;
                if let Some((k, v)) = trailer_pair(t, d) {
                    h.meta.extra.insert(k.to_string(), v.to_string());
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
    finish_header(&mut h);
    if x.is_empty() {
        if blank_x > 0 {
            let name = h
                .columns
                .as_ref()
                .map(|c| c.names[c.x].clone())
                .unwrap_or_default();
            return Err((
                None,
                ReadErrorKind::Refused(format!(
                    "the spectral axis column {name:?} is empty in all {blank_x} rows (an \
                     uncalibrated spectrometer); a pixel index is not a spectral axis: export \
                     the spectrum with its wavelength or Raman shift"
                )),
            ));
        }
        return Err((None, ReadErrorKind::Empty));
    }
    if blank_x > 0 {
        h.meta.inferred.push(format!(
            "{blank_x} rows without a value on the spectral axis (uncalibrated pixels) skipped"
        ));
    }
    let series = ys.len() > 1;
    if let Some(cols) = &h.columns
        && cols.names.len() > 2
    {
        let picked: Vec<&str> = cols.ys.iter().map(|&i| cols.names[i].as_str()).collect();
        h.meta.inferred.push(format!(
            "columns: x {:?}, intensity {}",
            cols.names[cols.x],
            picked
                .iter()
                .map(|n| format!("{n:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let names: Vec<Option<String>> = match &h.columns {
        Some(c) if series => c.ys.iter().map(|&i| Some(c.names[i].clone())).collect(),
        _ => vec![None; ys.len()],
    };
    Ok(ys
        .into_iter()
        .zip(names)
        .map(|(y, name)| {
            let mut meta = h.meta.clone();
            if let Some(n) = name {
                meta.extra.insert("column".into(), n);
            }
            Raw {
                x: x.clone(),
                y,
                lines: lines.clone(),
                x_unit: h.x_unit.clone(),
                y_unit: h.y_unit.clone(),
                meta,
                series,
            }
        })
        .collect())
}

enum Picked {
    /// The common row of one x and one y (no allocation per row).
    Pair(f64, f64),
    Values(f64, Vec<f64>),
    /// A row whose spectral-axis field is empty (B&W Tek: pixels outside the calibration).
    BlankX,
    NonFinite,
    OneNumber,
    NotNumeric,
}

/// A data row read by the columns a header named.
fn parse_columns(t: &str, d: Delim, cols: &Columns) -> Picked {
    let fields: Vec<&str> = match d {
        Delim::Tab => t.split('\t').collect(),
        Delim::Semicolon => t.split(';').collect(),
        Delim::Comma => t.split(',').collect(),
        Delim::Space => t.split_ascii_whitespace().collect(),
    };
    let marks = match d {
        Delim::Tab => marks_of(t, '\t'),
        Delim::Semicolon => marks_of(t, ';'),
        Delim::Comma | Delim::Space => Marks::Point,
    };
    let get = |i: usize| fields.get(i).map(|f| f.trim()).unwrap_or("");
    let xf = get(cols.x);
    if xf.is_empty() {
        return if parse_field(get(0), marks).is_some() {
            Picked::BlankX
        } else {
            Picked::NotNumeric
        };
    }
    let Some(xv) = parse_field(xf, marks) else {
        return Picked::NotNumeric;
    };
    let mut vals = Vec::with_capacity(cols.ys.len());
    for &i in &cols.ys {
        match parse_field(get(i), marks) {
            Some(v) => vals.push(v),
            None if vals.is_empty() && cols.ys.len() == 1 && get(i).is_empty() => {
                return Picked::OneNumber;
            }
            None => return Picked::NotNumeric,
        }
    }
    if xv.is_finite() && vals.iter().all(|v| v.is_finite()) {
        Picked::Values(xv, vals)
    } else {
        Picked::NonFinite
    }
}

/// Split `key: value` / `key=value` at whichever separator comes first.
fn key_value(s: &str) -> Option<(&str, &str)> {
    let i = s.find([':', '='])?;
    let (k, v) = (s[..i].trim(), s[i + 1..].trim());
    (!k.is_empty()).then_some((k, v))
}

/// A line of a trailer after the data: `key: value`, `key=value`, or a label and its value
/// in the data's delimiter (`Integration time,1000`); never a row that starts with a number.
fn trailer_pair(t: &str, d: Delim) -> Option<(&str, &str)> {
    if let Some(kv) = key_value(t) {
        return Some(kv);
    }
    let sep = match d {
        Delim::Tab => '\t',
        Delim::Semicolon => ';',
        Delim::Comma => ',',
        Delim::Space => return None,
    };
    let (k, v) = t.split_once(sep)?;
    let k = unquote(k);
    let label = k.starts_with(|c: char| c.is_alphabetic()) && k.parse::<f64>().is_err();
    label.then(|| (k, unquote(v)))
}

/// A footer's title line, after the data and a blank line: it starts with a word (a Cary
/// export's `METHOD` or `Sample1`; rows of numbers, even `NaN`, are data).
fn footer_title(t: &str) -> bool {
    t.starts_with(|c: char| c.is_alphabetic())
}

/// B&W Tek's `key;value` header lines (`laser_wavelength;532,02`: a decimal comma).
fn semicolon_pair(s: &str) -> Option<(&str, String)> {
    let (k, v) = s.split_once(';')?;
    let (k, v) = (k.trim(), v.trim().trim_end_matches(';').trim());
    if k.is_empty() || v.contains(';') || k.parse::<f64>().is_ok() {
        return None;
    }
    let numeric = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '-')
    };
    let v = if v.matches(',').count() == 1 && numeric(v) {
        v.replace(',', ".")
    } else {
        v.to_string()
    };
    Some((k, v))
}

fn record(h: &mut Header, k: &str, v: &str) {
    let lk = k.to_ascii_lowercase();
    if lk == "exp_cfg" || lk == "proc_cfg" {
        enspectr(h, &lk, v);
        return;
    }
    if lk.starts_with("spectro") || lk.starts_with("acq. time") {
        // Horiba LabSpec: the x axis is in the unit of the spectrometer-position key.
        h.labspec = true;
        if lk.starts_with("spectro") && h.x_unit.is_none() {
            let unit = k.split_once('(').map(|(_, u)| u).unwrap_or("");
            let u = if unit.contains("cm") {
                XUnit::RamanShift
            } else {
                XUnit::parse(unit.trim_end_matches(')'))
            };
            if !matches!(u, XUnit::Other(_)) {
                h.meta.inferred.push(format!(
                    "x unit {u} (Horiba LabSpec: the unit of its {k:?} line)"
                ));
                h.x_unit = Some(u);
            }
        }
    }
    if classify_key(k) == Key::Temperature {
        h.temperature = Some((k.to_string(), v.to_string()));
        return;
    }
    match h.meta.set(k, v) {
        // A bare number (B&W Tek's `xaxis;1`) is a display setting, not a unit.
        Key::XUnit | Key::YUnit if v.trim().parse::<f64>().is_ok() => {
            h.meta.extra.insert(k.to_string(), v.to_string());
        }
        Key::XUnit => h.x_unit = Some(XUnit::parse(v)),
        Key::YUnit => h.y_unit = Some(YUnit::parse(v)),
        _ => {}
    }
}

/// EnSpectr `.esp`: `#exp_cfg=` and `#proc_cfg=` hold JSON; the data are in angstrom and the
/// laser is `proc_cfg.xrel`, also in angstrom.
fn enspectr(h: &mut Header, key: &str, v: &str) {
    let Ok(cfg) = serde_json::from_str::<serde_json::Value>(v) else {
        h.meta
            .extra
            .insert(key.to_string(), v.chars().take(200).collect());
        return;
    };
    if h.x_unit.is_none() {
        h.x_unit = Some(XUnit::Angstrom);
        h.meta
            .inferred
            .push("x unit angstrom (an EnSpectr file: its axis is in angstrom)".into());
    }
    if key == "proc_cfg"
        && let Some(xrel) = cfg.get("xrel").and_then(|x| x.as_f64())
        && (1000.0..20_000.0).contains(&xrel)
        && h.meta.excitation_nm.is_none()
    {
        let nm = (xrel * 1e5).round() / 1e6;
        h.meta.excitation_nm = Some(nm);
        h.meta.inferred.push(format!(
            "excitation {nm} nm (EnSpectr proc_cfg xrel {xrel} angstrom)"
        ));
    }
    if key == "exp_cfg"
        && let Some(dev) = cfg.get("bt_dev").and_then(|x| x.as_str())
    {
        h.meta.instrument.get_or_insert_with(|| dev.to_string());
    }
}

/// Decide the sample temperature once every header line is known: a LabSpec export writes °C
/// without saying so and 0 when no stage temperature is recorded; everything else (units in the
/// value or the key, values no sample can have) is `Metadata::set`'s rule for every reader.
fn finish_header(h: &mut Header) {
    let Some((k, v)) = h.temperature.take() else {
        return;
    };
    let bare = v.trim().parse::<f64>().ok();
    if h.labspec && bare == Some(0.0) {
        h.meta.inferred.push(format!(
            "temperature {v:?} not taken (LabSpec writes 0 when no stage temperature is recorded)"
        ));
        h.meta.extra.insert(k, v);
        return;
    }
    match bare.filter(|_| h.labspec) {
        Some(t) => {
            h.meta.set(&k, &format!("{t} C"));
            if let Some(kelvin) = h.meta.temperature_k {
                h.meta.inferred.push(format!(
                    "temperature {t} °C = {kelvin} K (LabSpec writes °C)"
                ));
            }
        }
        None => {
            h.meta.set(&k, &v);
        }
    }
    if h.meta.temperature_k.is_none() && leading_number(&v).is_some() {
        h.meta.inferred.push(format!(
            "temperature {v:?} not taken (no sample can be at that temperature)"
        ));
    }
}

/// A row of column names such as `Wavelength (nm),Intensity` or B&W Tek's
/// `Pixel;Wavelength;...;Dark Subtracted #1`: choose the spectral axis and the intensity columns
/// by name (a pixel index is never x; the processed intensity before the raw one; dark and
/// reference columns never), and take the units they name.
fn header_row(t: &str, h: &mut Header) -> Result<(), Failure> {
    let sep = if t.contains('\t') {
        '\t'
    } else if t.contains(';') {
        ';'
    } else if t.contains(',') {
        ','
    } else {
        ' '
    };
    let mut names: Vec<String> = if sep == ' ' {
        t.split_ascii_whitespace().map(str::to_string).collect()
    } else {
        t.split(sep).map(|s| unquote(s).to_string()).collect()
    };
    while names.last().is_some_and(|n| n.is_empty()) {
        names.pop();
    }
    if names.len() < 2 {
        return Ok(());
    }
    let axis = |n: &str| !matches!(XUnit::parse(n), XUnit::Other(_)) && !pixel_like(n);
    let Some(xi) = names.iter().position(|n| axis(n)) else {
        if pixel_like(&names[0]) {
            return Err((
                None,
                ReadErrorKind::Refused(format!(
                    "the only axis is the pixel index (column {:?}); a pixel index is not a \
                     spectral axis: export the spectrum with its wavelength or Raman shift",
                    names[0]
                )),
            ));
        }
        // Names without units (`x,y`, `Wave,Intensity`): the first two columns.
        if let Some(u) = Some(YUnit::parse(&names[1])).filter(|u| !matches!(u, YUnit::Other(_))) {
            h.y_unit.get_or_insert(u);
        }
        return Ok(());
    };
    let ranks: Vec<Option<u8>> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            if i == xi || axis(n) || pixel_like(n) {
                None
            } else {
                intensity_rank(n)
            }
        })
        .collect();
    let Some(best) = ranks.iter().flatten().min().copied() else {
        return Ok(());
    };
    let ys: Vec<usize> = (0..names.len())
        .filter(|&i| ranks[i] == Some(best))
        .collect();
    if h.x_unit.is_none() {
        h.x_unit = Some(XUnit::parse(&names[xi]));
    }
    if h.y_unit.is_none()
        && let u = YUnit::parse(&names[ys[0]])
        && !matches!(u, YUnit::Other(_))
    {
        h.y_unit = Some(u);
    }
    h.columns = Some(Columns { x: xi, ys, names });
    Ok(())
}

fn pixel_like(n: &str) -> bool {
    let l = n.trim().trim_start_matches('#').to_ascii_lowercase();
    l.is_empty() || l.starts_with("pixel") || l == "index" || l == "channel" || l == "point"
}

/// How good an intensity column is: 0 processed, 1 plain, 2 raw; None for what is not the
/// sample's intensity (dark, reference, background, ratios computed against a reference).
fn intensity_rank(n: &str) -> Option<u8> {
    let l = n.to_ascii_lowercase();
    if ["subtracted", "corrected", "processed", "normali"]
        .iter()
        .any(|w| l.contains(w))
    {
        Some(0)
    } else if ["dark", "reference", "background", "baseline", "error"]
        .iter()
        .any(|w| l.contains(w))
        || l.starts_with("std")
        || l.contains("sigma")
        || l.contains("uncertainty")
    {
        None
    } else if l.contains("raw") {
        Some(2)
    } else {
        Some(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slow(line: &str, d: Delim) -> Option<(f64, f64)> {
        let row = match d {
            Delim::Tab => parse_fields(line.split('\t'), marks_of(line, '\t')),
            Delim::Semicolon => parse_fields(line.split(';'), marks_of(line, ';')),
            Delim::Comma => parse_fields(line.split(','), Marks::Point),
            Delim::Space => parse_fields(line.split_ascii_whitespace(), Marks::Point),
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
            let r = read(&rows(20, sep)).ok().unwrap().remove(0);
            assert_eq!(r.x.len(), 20, "sep {sep:?}");
            assert_eq!(r.y[3], 6.0);
        }
        let text = format!(
            "# stone_id: S1\n# technique: pl\n# excitation_nm=532\n# x_unit: nm\nWavelength (nm),Counts\n{}",
            rows(20, ",")
        );
        let r = read(&text).ok().unwrap().remove(0);
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
        let r = read(&rruff).ok().unwrap().remove(0);
        assert_eq!(r.meta.title.as_deref(), Some("Diamond"));
        assert_eq!(r.x.len(), 20);
        let ocean = format!(
            "Data from x.txt Node\nDate: Mon Jan 01\nIntegration Time (sec): 1.0E0\n>>>>>Begin Spectral Data<<<<<\n{}>>>>>End Spectral Data<<<<<\n",
            rows(20, "\t")
        );
        let r = read(&ocean).ok().unwrap().remove(0);
        assert_eq!(r.x.len(), 20);
        assert!(r.meta.extra.contains_key("Integration Time (sec)"));
    }

    #[test]
    fn vendor_text_exports() {
        // B&W Tek: `key;value` headers with decimal commas, columns chosen by name, rows of
        // uncalibrated pixels (no wavelength) skipped.
        let mut bw = String::from(
            "File Version;BWRam4.11_11\nxaxis;1\nlaser_wavelength;532,02\n\
             Pixel;Wavelength;Wavenumber;Raman Shift;Dark;Reference;Raw data #1;Dark Subtracted #1;\n",
        );
        bw.push_str("0;   ;   ;   ;1038,28;65535,0;1044,0;5,71;\n");
        for i in 1..=20 {
            bw.push_str(&format!(
                "{i};{},5;1;2;1000;65535;{};{},25;\n",
                536 + i,
                2000 + i,
                900 + i
            ));
        }
        let r = read(&bw).unwrap().remove(0);
        assert_eq!(r.x.len(), 20);
        assert_eq!((r.x[0], r.y[0]), (537.5, 901.25));
        assert_eq!(r.x_unit, Some(XUnit::Nm));
        assert_eq!(r.meta.excitation_nm, Some(532.02));
        assert!(r.meta.inferred.iter().any(|w| w.contains("1 rows without")));
        // ... and when no row has a wavelength, a pixel index is never taken for x.
        let pixels: String = bw.lines().take(5).map(|l| format!("{l}\n")).collect();
        let e = read(&pixels).err().unwrap();
        assert!(
            matches!(e.1, ReadErrorKind::Refused(ref m) if m.contains("pixel")),
            "{e:?}"
        );

        // EnSpectr: JSON headers, angstrom, laser as xrel in angstrom.
        let esp = format!(
            "#exp_cfg={{\"bt_dev\": \"EnSpectr-BT100\"}}\n#proc_cfg={{\"xrel\": 5320.6}}\n{}",
            (0..20)
                .map(|i| format!("{}\t{}\n", 5400 + 10 * i, i))
                .collect::<String>()
        );
        let r = read(&esp).unwrap().remove(0);
        assert_eq!(r.x_unit, Some(XUnit::Angstrom));
        assert_eq!(r.meta.excitation_nm, Some(532.06));
        assert_eq!(r.meta.instrument.as_deref(), Some("EnSpectr-BT100"));

        // LabSpec: the x unit from `#Spectro (cm-¹)`, temperatures in °C, 0 = not recorded.
        let labspec = |t: &str| {
            format!(
                "#Acq. time (s)=\t120\n#Temperature=\t{t}\n#Laser=\t532nm_Edge\n#Spectro (cm-¹)=\t909.972\n{}",
                rows(20, "\t")
            )
        };
        let r = read(&labspec("0")).unwrap().remove(0);
        assert_eq!(r.x_unit, Some(XUnit::RamanShift));
        assert_eq!(r.meta.excitation_nm, Some(532.0));
        assert_eq!(r.meta.temperature_k, None);
        let r = read(&labspec("-196")).unwrap().remove(0);
        assert!((r.meta.temperature_k.unwrap() - 77.15).abs() < 1e-9);
        // No sample is at 0 K or below.
        let r = read(&format!("# temperature_k: 0\n{}", rows(20, ",")))
            .unwrap()
            .remove(0);
        assert_eq!(r.meta.temperature_k, None);

        // Andor Solis ASCII: the camera's settings after the data, its temperature not taken.
        let asc = format!(
            "{}\n\nDate and Time:  Fri Sep  8\nTemperature (C):   -50\nWavelength (nm):  430\n",
            rows(20, "\t")
        );
        let r = read(&asc).unwrap().remove(0);
        assert_eq!(r.x.len(), 20);
        assert_eq!(r.meta.temperature_k, None);
        assert!(r.meta.extra.contains_key("Temperature (C)"));

        // qudi: `#`-commented column names with x in metres.
        let qudi = format!(
            "# Saved Data\n#Wavelength (m)\tSignal (counts/s)\n{}",
            (0..20)
                .map(|i| format!("{:e}\t{i}\n", 7.3e-7 + 1e-10 * i as f64))
                .collect::<String>()
        );
        let r = read(&qudi).unwrap().remove(0);
        assert_eq!(r.x_unit, Some(XUnit::Metre));
    }

    #[test]
    fn several_intensity_columns_are_a_series() {
        let mut t = String::from("Wavelength (nm),10 K,77 K,295 K\n");
        for i in 0..20 {
            t.push_str(&format!("{},{},{},{}\n", 500 + i, i, 2 * i, 3 * i));
        }
        let raws = read(&t).unwrap();
        assert_eq!(raws.len(), 3);
        assert!(raws.iter().all(|r| r.series));
        assert_eq!(raws[2].y[3], 9.0);
        assert_eq!(
            raws[1].meta.extra.get("column").map(String::as_str),
            Some("77 K")
        );
    }

    #[test]
    fn decimal_comma_and_scientific() {
        let t: String = (0..20)
            .map(|i| format!("{},5;1,5e+002\n", 500 + i))
            .collect();
        let r = read(&t).ok().unwrap().remove(0);
        assert_eq!(r.x[0], 500.5);
        assert_eq!(r.y[0], 150.0);
    }

    /// Every field in double quotes (spreadsheet and LIMS exports) reads as the plain file.
    #[test]
    fn quoted_fields_read_as_plain_ones() {
        let plain = format!("Wavelength (nm),Intensity\n{}", rows(20, ","));
        let quoted: String = plain
            .lines()
            .map(|l| {
                let q: Vec<String> = l.split(',').map(|f| format!("\"{f}\"")).collect();
                q.join(",") + "\n"
            })
            .collect();
        let (a, b) = (read(&plain).unwrap(), read(&quoted).unwrap());
        assert_eq!((&a[0].x, &a[0].y), (&b[0].x, &b[0].y));
        assert_eq!(b[0].x_unit, Some(XUnit::Nm));
        let semi = quoted.replace(',', ";");
        assert_eq!(read(&semi).unwrap()[0].y, a[0].y);
        let comma: String = (0..20)
            .map(|i| format!("\"5{i},5\";\"{i},25\"\n"))
            .collect();
        let r = read(&comma).unwrap().remove(0);
        assert_eq!((r.x[3], r.y[3]), (53.5, 3.25));
    }

    /// A footer of `label,value` rows after a blank line is kept as metadata; without the blank
    /// line, or where the row starts with a number, it is still an error.
    #[test]
    fn a_delimited_footer_after_the_data_is_metadata() {
        let t = format!("{}\nIntegration time,1000\nLaser,532\n", rows(20, ","));
        let r = read(&t).unwrap().remove(0);
        assert_eq!(r.x.len(), 20);
        assert_eq!(r.meta.extra.get("Integration time").unwrap(), "1000");
        assert_eq!(
            r.meta.excitation_nm, None,
            "a footer is kept as-is, not taken"
        );
        let t = format!("{}Integration time,1000\n", rows(20, ","));
        assert_eq!(read(&t).err().unwrap().0, Some(21));
        let t = format!("{}\n12,abc\n", rows(20, ","));
        assert_eq!(read(&t).err().unwrap().0, Some(22));
    }

    /// Thousands marks in spreadsheet exports: `1,074.7` and `12,345` beside `.` decimals,
    /// `1.074,7` beside decimal commas; a comma that groups no thousands beside a decimal
    /// point (`12,34`, `0,987`) is an error, never a number; rows writing one mark only read
    /// as before (a lone decimal comma in a tab- or semicolon-delimited file).
    #[test]
    fn thousands_marks_are_read_and_a_mark_that_groups_nothing_is_an_error() {
        let us = "Wavelength\tIntensity\n596.03\t998.5\n596.45\t1,074.7\n596.87\t12,345\n597.29\t-1,234,567.25\n";
        let r = read(us).unwrap().remove(0);
        assert_eq!(r.y, vec![998.5, 1074.7, 12345.0, -1234567.25]);
        assert_eq!(r.x[1], 596.45);
        let de = "Wellenlänge;Intensität\n596,03;998,5\n596,45;1.074,7\n596,87;12.345,0\n";
        let r = read(de).unwrap().remove(0);
        assert_eq!(r.y, vec![998.5, 1074.7, 12345.0]);
        assert_eq!(r.x[2], 596.87);
        for bad in [
            "596.03\t12,34\n",
            "596.03\t0,987\n",
            "596.03\t1,2345\n",
            "596,03;1.07,5\n",
        ] {
            let t = format!("x\ty\n{}", bad.repeat(3));
            let t = if bad.contains(';') {
                t.replace("x\ty", "x;y")
            } else {
                t
            };
            assert!(read(&t).is_err(), "{bad:?} read");
        }
        let plain = "596,03\t998,5\n596,45\t1074,7\n";
        assert_eq!(read(plain).unwrap()[0].y, vec![998.5, 1074.7]);
    }

    /// A Cary (WinUV) export: a title row, the column names, the data (trailing commas), a
    /// blank line and a METHOD block whose title has no value. Data rows after such a footer
    /// are a second spectrum a footer must not hide: an error naming the line.
    #[test]
    fn a_footer_block_under_a_title_is_metadata_and_no_second_spectrum_hides_in_it() {
        let data: String = (0..20)
            .map(|i| format!("{}.0,0.{i:02},\n", 800 - i))
            .collect();
        let foot =
            "\nMETHOD\nCollection Time: 5/6/2019 10:11:12 AM\nScan Rate,600.000000\n\nSample1\n";
        let t = format!("Sample1,,\nWavelength (nm),Abs,\n{data}{foot}");
        let r = read(&t).unwrap().remove(0);
        assert_eq!(r.x.len(), 20);
        assert_eq!((r.x[19], r.y[19]), (781.0, 0.19));
        assert_eq!(r.meta.extra.get("Scan Rate").unwrap(), "600.000000");
        let stacked = format!("{t}Wavelength (nm),Abs\n{data}");
        let (line, kind) = read(&stacked).err().unwrap();
        assert_eq!(line, Some(2 + 20 + 7 + 1), "{kind:?}");
        // without the blank line the title is still a bad row
        let t = format!("Wavelength (nm),Abs\n{data}METHOD\n");
        assert_eq!(read(&t).err().unwrap().0, Some(22));
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
