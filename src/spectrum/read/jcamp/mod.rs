//! JCAMP-DX 4.24 / 5.x single-spectrum files.
//!
//! Labelled data records (`##LABEL=value`) are read with labels compared the JCAMP way (case,
//! spaces, `-`, `/` and `_` ignored); `$$` starts a comment. Data come as `##XYDATA=(X++(Y..Y))`
//! in any ASDF form (see [`asdf`]) or as `##XYPOINTS=(XY..XY)` pairs. The file checks itself and
//! so does this reader: the DIF y-check value at the start of each line, each line's abscissa
//! against FIRSTX + i*DELTAX, NPOINTS against the decoded count, and FIRSTY against the first
//! ordinate. Abscissae are FIRSTX + i*(LASTX-FIRSTX)/(NPOINTS-1), exact at both ends.
//! Vendor labels (`##$STONE ID`, `##.LASER WAVELENGTH`...) go through the shared metadata keys.
//! Multi-block (`##BLOCKS`) and `##NTUPLES` files are refused as not supported.

mod asdf;

use super::{Raw, ReadErrorKind};
use crate::spectrum::MAX_POINTS;
use crate::spectrum::metadata::Metadata;
use crate::spectrum::units::{XUnit, YUnit};
use asdf::Token;

type Failure = (Option<usize>, ReadErrorKind);

fn norm_label(raw: &str) -> String {
    raw.chars()
        .filter(|c| !matches!(c, ' ' | '-' | '/' | '_' | '\t'))
        .flat_map(|c| c.to_uppercase())
        .collect()
}

#[derive(PartialEq)]
enum DataForm {
    XppYY,
    XyXy,
}

#[derive(Default)]
struct Header {
    xunits: Option<String>,
    yunits: Option<String>,
    xfactor: Option<(f64, usize)>,
    yfactor: Option<(f64, usize)>,
    firstx: Option<(f64, usize)>,
    lastx: Option<(f64, usize)>,
    deltax: Option<(f64, usize)>,
    npoints: Option<(usize, usize)>,
    /// FIRSTY and the number of decimals it was written with.
    firsty: Option<(f64, u32, usize)>,
}

fn num(v: &str, label: &str, line: usize) -> Result<(f64, usize), Failure> {
    let t = v.trim();
    t.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .map(|x| (x, line))
        .ok_or_else(|| {
            (
                Some(line),
                ReadErrorKind::Syntax(format!("##{label} is not a number: {t:?}")),
            )
        })
}

fn decimals(v: &str) -> u32 {
    let t = v.trim();
    let mantissa = t.split(['e', 'E']).next().unwrap_or("");
    mantissa
        .split('.')
        .nth(1)
        .map(|d| d.len() as u32)
        .unwrap_or(0)
}

pub(crate) fn read(text: &str) -> Result<Raw, Failure> {
    let mut meta = Metadata::default();
    let mut h = Header::default();
    let mut form: Option<(DataForm, usize)> = None;
    let mut data: Vec<(usize, &str)> = Vec::new();
    let mut in_data = false;
    let mut titles = 0;
    let mut ended = false;

    for (i, raw_line) in text.lines().enumerate() {
        let lineno = i + 1;
        let line = match raw_line.find("$$") {
            Some(p) => &raw_line[..p],
            None => raw_line,
        };
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("##") {
            in_data = false;
            let (label_raw, value) = match rest.find('=') {
                Some(p) => (&rest[..p], rest[p + 1..].trim()),
                None => (rest, ""),
            };
            let label = norm_label(label_raw);
            match label.as_str() {
                "" => {} // "##= comment"
                "TITLE" => {
                    titles += 1;
                    if titles > 1 {
                        return Err((
                            Some(lineno),
                            ReadErrorKind::Unsupported(
                                "more than one block in one JCAMP-DX file".into(),
                            ),
                        ));
                    }
                    meta.set("title", value);
                }
                "BLOCKS" | "NTUPLES" | "LINK" => {
                    return Err((
                        Some(lineno),
                        ReadErrorKind::Unsupported(format!(
                            "multi-block or ##{label} JCAMP-DX files (only single spectra are read)"
                        )),
                    ));
                }
                "END" => {
                    ended = true;
                    break;
                }
                "XUNITS" => h.xunits = Some(value.to_string()),
                "YUNITS" => h.yunits = Some(value.to_string()),
                "XFACTOR" => h.xfactor = Some(num(value, &label, lineno)?),
                "YFACTOR" => h.yfactor = Some(num(value, &label, lineno)?),
                "FIRSTX" => h.firstx = Some(num(value, &label, lineno)?),
                "LASTX" => h.lastx = Some(num(value, &label, lineno)?),
                "DELTAX" => h.deltax = Some(num(value, &label, lineno)?),
                "FIRSTY" => {
                    let (v, l) = num(value, &label, lineno)?;
                    h.firsty = Some((v, decimals(value), l));
                }
                "NPOINTS" => {
                    let (v, l) = num(value, &label, lineno)?;
                    if v < 0.0 || v.fract() != 0.0 {
                        return Err((
                            Some(l),
                            ReadErrorKind::Syntax(format!("##NPOINTS is not a count: {value}")),
                        ));
                    }
                    if v > MAX_POINTS as f64 {
                        return Err((Some(l), ReadErrorKind::TooManyPoints(v as usize)));
                    }
                    h.npoints = Some((v as usize, l));
                }
                "XYDATA" | "XYPOINTS" => {
                    if form.is_some() {
                        return Err((
                            Some(lineno),
                            ReadErrorKind::Unsupported("more than one data table".into()),
                        ));
                    }
                    let v = norm_label(value);
                    let f = if v.starts_with("(X++(Y..Y))") {
                        DataForm::XppYY
                    } else if v.starts_with("(XY..XY)") {
                        DataForm::XyXy
                    } else {
                        return Err((
                            Some(lineno),
                            ReadErrorKind::Unsupported(format!("data table form {value:?}")),
                        ));
                    };
                    form = Some((f, lineno));
                    in_data = true;
                }
                "PEAKTABLE" | "PEAKASSIGNMENTS" => {
                    return Err((
                        Some(lineno),
                        ReadErrorKind::Unsupported(
                            "peak tables (a list of sticks, not a measured spectrum)".into(),
                        ),
                    ));
                }
                _ => {
                    if !value.is_empty() {
                        meta.set(label_raw, value);
                    }
                }
            }
        } else if in_data && !t.is_empty() {
            data.push((lineno, t));
        }
    }
    let Some((form, form_line)) = form else {
        return Err((
            None,
            ReadErrorKind::Syntax("no ##XYDATA or ##XYPOINTS table".into()),
        ));
    };
    if !ended {
        return Err((
            None,
            ReadErrorKind::Syntax("missing ##END= (file truncated?)".into()),
        ));
    }
    let xfactor = h.xfactor.map_or(1.0, |v| v.0);
    let yfactor = h.yfactor.map_or(1.0, |v| v.0);
    if xfactor == 0.0 || yfactor == 0.0 {
        return Err((
            None,
            ReadErrorKind::Syntax("##XFACTOR or ##YFACTOR is zero".into()),
        ));
    }
    // A number split by a stray space (`0. 4491087E+01`) is joined, and said so.
    let fixed: Vec<(usize, std::borrow::Cow<str>)> = data
        .iter()
        .map(|&(l, t)| (l, join_split_numbers(t)))
        .collect();
    let joined = fixed
        .iter()
        .filter(|(_, t)| matches!(t, std::borrow::Cow::Owned(_)))
        .map(|(l, _)| *l)
        .collect::<Vec<_>>();
    if let Some(first) = joined.first() {
        meta.inferred.push(format!(
            "JCAMP-DX: a number split by a space (`0. 449E+01`) joined on {} line(s), first line {first}",
            joined.len()
        ));
    }
    let data: Vec<(usize, &str)> = fixed.iter().map(|(l, t)| (*l, t.as_ref())).collect();
    let mut warnings = Vec::new();
    let (x, y, lines) = match form {
        DataForm::XppYY => decode_xppyy(&data, &h, xfactor, yfactor, form_line, &mut warnings)?,
        DataForm::XyXy => decode_xyxy(&data, xfactor, yfactor)?,
    };
    meta.inferred.extend(warnings);
    if let Some((n, l)) = h.npoints
        && n != y.len()
    {
        return Err((
            Some(l),
            ReadErrorKind::Check(format!(
                "##NPOINTS={n} but the table holds {} points",
                y.len()
            )),
        ));
    }
    if let (Some((fy, dec, l)), Some(&y0)) = (h.firsty, y.first()) {
        // FIRSTY may be the unquantised value: allow one YFACTOR step as well.
        let tol = 10f64.powi(-(dec as i32)) + yfactor.abs() + 1e-9 * fy.abs().max(y0.abs());
        let off = (fy - y0).abs();
        if off > tol {
            // Within 1% is a rounding of the header (the data decode unambiguously); more
            // means the ordinate scale (YFACTOR) is in doubt.
            if off <= 0.01 * fy.abs().max(y0.abs()) {
                meta.inferred.push(format!(
                    "JCAMP-DX: ##FIRSTY={fy} but the first ordinate is {y0} ({:.2}% apart: a \
                     rounding of the header; the data are read as decoded)",
                    100.0 * off / fy.abs().max(y0.abs())
                ));
            } else {
                return Err((
                    Some(l),
                    ReadErrorKind::Check(format!("##FIRSTY={fy} but the first ordinate is {y0}")),
                ));
            }
        }
    }
    Ok(Raw {
        x,
        y,
        lines,
        x_unit: h.xunits.as_deref().map(XUnit::parse),
        y_unit: h.yunits.as_deref().map(YUnit::parse),
        meta,
        series: false,
    })
}

type Decoded = (Vec<f64>, Vec<f64>, Vec<usize>);

/// `0. 4491087E+01` -> `0.4491087E+01`: a mantissa's leading `d.` followed by a space and the
/// rest of the digits with an exponent (a writer's fault seen in the public test suites).
fn join_split_numbers(t: &str) -> std::borrow::Cow<'_, str> {
    let b = t.as_bytes();
    let mut cut = Vec::new();
    for i in 1..b.len().saturating_sub(1) {
        if b[i] == b' ' && b[i - 1] == b'.' && b[i + 1].is_ascii_digit() {
            let before_dot_is_digit = i >= 2 && b[i - 2].is_ascii_digit();
            let rest = &t[i + 1..];
            let word = rest.split([' ', ',', '\t']).next().unwrap_or("");
            let exp = word.contains(['E', 'e']) && !word.contains('.');
            if before_dot_is_digit && exp {
                cut.push(i);
            }
        }
    }
    if cut.is_empty() {
        return std::borrow::Cow::Borrowed(t);
    }
    let mut out = String::with_capacity(t.len());
    let mut last = 0;
    for i in cut {
        out.push_str(&t[last..i]);
        last = i + 1;
    }
    out.push_str(&t[last..]);
    std::borrow::Cow::Owned(out)
}

fn decode_xppyy(
    data: &[(usize, &str)],
    h: &Header,
    xfactor: f64,
    yfactor: f64,
    form_line: usize,
    warnings: &mut Vec<String>,
) -> Result<Decoded, Failure> {
    let missing = |what: &str| {
        (
            Some(form_line),
            ReadErrorKind::Syntax(format!("(X++(Y..Y)) needs ##{what}")),
        )
    };
    let firstx = h.firstx.ok_or_else(|| missing("FIRSTX"))?.0;
    let lastx = h.lastx.ok_or_else(|| missing("LASTX"))?.0;

    let mut ys: Vec<f64> = Vec::new();
    let mut lines: Vec<usize> = Vec::new();
    // (line, abscissa * XFACTOR, index of its first ordinate, decimals of X, starts with a check)
    let mut line_x: Vec<(usize, f64, usize, u32, bool)> = Vec::new();
    let mut toks = Vec::new();
    let mut buf = String::new();
    let mut last_was_dif = false;
    let compressed = asdf::is_compressed(data.iter().map(|d| d.1));
    for &(lineno, text) in data {
        asdf::tokenize(text, compressed, &mut buf, &mut toks)
            .map_err(|m| (Some(lineno), ReadErrorKind::Syntax(m)))?;
        let Some((&first, rest)) = toks.split_first() else {
            continue;
        };
        let Token::Abs(xv) = first else {
            return Err((
                Some(lineno),
                ReadErrorKind::Syntax("line does not start with an abscissa".into()),
            ));
        };
        let x_dec = text
            .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
            .next()
            .map_or(0, decimals);
        let mut rest = rest;
        let mut prev_tok: Option<Token> = None;
        let mut first_index = ys.len();
        if last_was_dif {
            // Y-check: the first ordinate repeats the last one of the previous line.
            match rest.first() {
                Some(&Token::Abs(check)) => {
                    let last = *ys.last().unwrap_or(&f64::NAN);
                    // SPECTRAFILE ends its table with a lone `X@` past the last point: a final
                    // line with nothing but a check value, once NPOINTS are all decoded, is a
                    // terminator, not data.
                    let terminator = rest.len() == 1
                        && lineno == data.last().map_or(0, |d| d.0)
                        && h.npoints.is_some_and(|(n, _)| n == ys.len());
                    if terminator {
                        break;
                    }
                    if check != last {
                        return Err((
                            Some(lineno),
                            ReadErrorKind::Check(format!(
                                "DIF y-check value {check} does not repeat the previous ordinate {last}"
                            )),
                        ));
                    }
                    prev_tok = Some(Token::Abs(check));
                    rest = &rest[1..];
                    first_index = ys.len() - 1;
                }
                _ => {
                    return Err((
                        Some(lineno),
                        ReadErrorKind::Check("DIF line not followed by a y-check value".into()),
                    ));
                }
            }
        }
        line_x.push((
            lineno,
            xv * xfactor,
            first_index,
            x_dec,
            first_index < ys.len(),
        ));
        last_was_dif = false;
        for &tok in rest {
            match tok {
                Token::Abs(v) => {
                    ys.push(v);
                    last_was_dif = false;
                }
                Token::Dif(d) => {
                    let Some(&p) = ys.last() else {
                        return Err((
                            Some(lineno),
                            ReadErrorKind::Syntax("DIF value with nothing before it".into()),
                        ));
                    };
                    ys.push(p + d);
                    last_was_dif = true;
                }
                Token::Dup(n) => {
                    let Some(p) = prev_tok else {
                        return Err((
                            Some(lineno),
                            ReadErrorKind::Syntax("DUP count with nothing to repeat".into()),
                        ));
                    };
                    if ys.len() + n as usize > MAX_POINTS + 1 {
                        return Err((
                            Some(lineno),
                            ReadErrorKind::TooManyPoints(ys.len() + n as usize),
                        ));
                    }
                    for _ in 1..n {
                        match p {
                            Token::Abs(v) => ys.push(v),
                            Token::Dif(d) => {
                                let last = *ys.last().unwrap_or(&0.0);
                                ys.push(last + d);
                            }
                            Token::Dup(_) => unreachable!("prev_tok is never a DUP"),
                        }
                    }
                    continue; // DUP does not change which token DUP would repeat
                }
            }
            prev_tok = Some(tok);
            if ys.len() > MAX_POINTS {
                return Err((Some(lineno), ReadErrorKind::TooManyPoints(ys.len())));
            }
        }
        lines.resize(ys.len(), lineno);
    }
    let n = ys.len();
    if n == 0 {
        return Err((None, ReadErrorKind::Empty));
    }
    let step = if n > 1 {
        (lastx - firstx) / (n - 1) as f64
    } else {
        0.0
    };
    let delta = h.deltax.map_or(step, |d| d.0);
    // Each line's abscissa must sit where its first ordinate's index puts it.
    // After a y-check value, writers label the line with the check point's abscissa (the
    // standard) or the first new point's (SPECTRAFILE); both are accepted.
    for &(lineno, xv, idx, dec, checked) in &line_x {
        let expected = firstx + idx as f64 * step;
        // Half a step tells one index from the next; writers round or truncate X, and some
        // accumulate float error over the table.
        let tol =
            0.5 * delta.abs() + 10f64.powi(-(dec as i32)) * xfactor.abs() + 1e-9 * expected.abs();
        let off = |e: f64| (xv - e).abs() > tol;
        // With the point count the header gives, a line label off by less than one step is a
        // rounding of the label (a table "home made from XY pairs"), not a lost or extra value.
        let count_agrees = h.npoints.is_none_or(|(np, _)| np == n);
        let near = (xv - expected).abs() < step.abs();
        if off(expected) && (!checked || off(expected + step)) && count_agrees && near {
            if !warnings.iter().any(|w| w.contains("line abscissa")) {
                warnings.push(format!(
                    "JCAMP-DX: line abscissa {xv} (line {lineno}) is not where point {idx} lies \
                     ({expected}); the point count agrees with ##NPOINTS, so the labels are \
                     taken as rounded"
                ));
            }
            continue;
        }
        if off(expected) && (!checked || off(expected + step)) {
            return Err((
                Some(lineno),
                ReadErrorKind::Check(format!(
                    "line abscissa {xv} but point {idx} should be at {expected} (values lost or extra?)"
                )),
            ));
        }
    }
    let x: Vec<f64> = (0..n)
        .map(|i| {
            if i + 1 == n {
                lastx
            } else {
                firstx + i as f64 * step
            }
        })
        .collect();
    let y: Vec<f64> = ys.into_iter().map(|v| v * yfactor).collect();
    Ok((x, y, lines))
}

fn decode_xyxy(data: &[(usize, &str)], xfactor: f64, yfactor: f64) -> Result<Decoded, Failure> {
    let mut x = Vec::new();
    let mut y = Vec::new();
    let mut lines = Vec::new();
    let mut pending: Option<f64> = None;
    for &(lineno, text) in data {
        for field in text.split([',', ';', ' ', '\t']).filter(|s| !s.is_empty()) {
            let v: f64 = field
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite())
                .ok_or_else(|| {
                    (
                        Some(lineno),
                        ReadErrorKind::Syntax(format!("bad number {field:?}")),
                    )
                })?;
            match pending.take() {
                None => pending = Some(v),
                Some(xv) => {
                    x.push(xv * xfactor);
                    y.push(v * yfactor);
                    lines.push(lineno);
                    if x.len() > MAX_POINTS {
                        return Err((Some(lineno), ReadErrorKind::TooManyPoints(x.len())));
                    }
                }
            }
        }
    }
    if pending.is_some() {
        return Err((
            data.last().map(|d| d.0),
            ReadErrorKind::Syntax("odd number of values in (XY..XY) table".into()),
        ));
    }
    Ok((x, y, lines))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wrap(body: &str, extra: &str) -> String {
        format!(
            "##TITLE=t\n##JCAMP-DX=4.24\n##DATA TYPE=PHOTOLUMINESCENCE SPECTRUM\n##XUNITS=NANOMETERS\n##YUNITS=COUNTS\n{extra}{body}##END=\n"
        )
    }

    #[test]
    fn dif_dup_with_y_check() {
        // 20 points 1..20 in DIF form over two lines; line 2 starts with the y-check value.
        let body = "##FIRSTX=500\n##LASTX=519\n##DELTAX=1\n##NPOINTS=20\n##FIRSTY=1\n##XYDATA=(X++(Y..Y))\n500 AJT\n509 I0JT\n";
        // line 1: 1, then +1 repeated: J then T(=2 occurrences) -> 1,2,3 ; that's 3 values
        let r = read(&wrap(body, ""));
        assert!(r.is_err(), "npoints mismatch must be caught");
        let body = "##FIRSTX=500\n##LASTX=519\n##DELTAX=1\n##NPOINTS=20\n##FIRSTY=1\n##XYDATA=(X++(Y..Y))\n500 AJY\n507 HJZ\n515 A6JV\n519 B0\n";
        let r = read(&wrap(body, "##$STONE ID=ABC\n##$LASER WAVELENGTH=532\n"))
            .ok()
            .unwrap();
        assert_eq!(r.y, (1..=20).map(f64::from).collect::<Vec<_>>());
        assert_eq!(r.x[19], 519.0);
        assert_eq!(r.meta.stone_id.as_deref(), Some("ABC"));
        assert_eq!(r.meta.excitation_nm, Some(532.0));
        assert_eq!(r.x_unit, Some(XUnit::Nm));
    }

    #[test]
    fn roundings_of_the_header_are_read_with_a_warning() {
        // ##FIRSTY 0.25% from the first ordinate: read, and said.
        let affn = "##FIRSTX=1\n##LASTX=20\n##NPOINTS=20\n##XYDATA=(X++(Y..Y))\n1 1000 1 2 3 4 5 6 7 8 9\n11 1 2 3 4 5 6 7 8 9 10\n";
        let first = affn.replace("##NPOINTS", "##FIRSTY=1002.5\n##NPOINTS");
        let r = read(&wrap(&first, "")).unwrap();
        assert_eq!(r.y[0], 1000.0);
        assert!(
            r.meta.inferred.iter().any(|w| w.contains("FIRSTY")),
            "{:?}",
            r.meta.inferred
        );
        // More than a rounding stays an error.
        let far = affn.replace("##NPOINTS", "##FIRSTY=1500\n##NPOINTS");
        assert!(read(&wrap(&far, "")).is_err());
        // A line label a rounding off (home-made from XY pairs: 11.7 for point 10 at 11).
        let label = affn.replace("\n11 1", "\n11.7 1");
        let r = read(&wrap(&label, "")).unwrap();
        assert_eq!(r.x.len(), 20);
        assert!(r.meta.inferred.iter().any(|w| w.contains("line abscissa")));
        // A number split by a space in an AFFN table.
        let split = "##FIRSTX=1\n##LASTX=20\n##NPOINTS=20\n##XYDATA=(X++(Y..Y))\n1 0. 4491087E+01 1 2 3 4 5 6 7 8 9\n11 1 2 3 4 5 6 7 8 9 10\n";
        let r = read(&wrap(split, "")).unwrap();
        assert_eq!(r.y[0], 4.491087);
        assert_eq!(r.y.len(), 20);
        assert!(
            r.meta
                .inferred
                .iter()
                .any(|w| w.contains("split by a space"))
        );
    }

    #[test]
    fn checks_fail_loudly() {
        let good = "##FIRSTX=500\n##LASTX=519\n##NPOINTS=20\n##XYDATA=(X++(Y..Y))\n500 AJY\n507 HJZ\n515 A6JV\n519 B0\n";
        assert!(read(&wrap(good, "")).is_ok());
        let bad_check = good.replace("507 HJZ", "507 GJZ");
        assert!(matches!(
            read(&wrap(&bad_check, "")).err().unwrap(),
            (Some(_), ReadErrorKind::Check(_))
        ));
        let bad_x = good.replace("515 A6", "513 A6");
        assert!(matches!(
            read(&wrap(&bad_x, "")).err().unwrap().1,
            ReadErrorKind::Check(_)
        ));
        let bad_first = good.replace("##NPOINTS", "##FIRSTY=5\n##NPOINTS");
        assert!(matches!(
            read(&wrap(&bad_first, "")).err().unwrap().1,
            ReadErrorKind::Check(_)
        ));
        let truncated = wrap(good, "").replace("##END=\n", "");
        assert!(read(&truncated).is_err());
        let ntuples = wrap(good, "##NTUPLES=NMR\n");
        assert!(matches!(
            read(&ntuples).err().unwrap().1,
            ReadErrorKind::Unsupported(_)
        ));
        let bomb = good.replace("519 B0", "519 B0Js999999999");
        assert!(read(&wrap(&bomb, "")).is_err());
    }

    #[test]
    fn xy_pairs() {
        let pts: String = (0..20).map(|i| format!("{}, {};", 1000 + i, i)).collect();
        let body = format!("##XFACTOR=2\n##XYPOINTS=(XY..XY)\n{pts}\n");
        let r = read(&wrap(&body, "")).ok().unwrap();
        assert_eq!(r.x[1], 2002.0);
        assert_eq!(r.y[19], 19.0);
    }
}
