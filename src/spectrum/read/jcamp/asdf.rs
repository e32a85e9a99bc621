//! ASDF: the compressed ordinate forms of JCAMP-DX `(X++(Y..Y))` data lines.
//!
//! - AFFN: plain numbers separated by spaces or commas (`1.5E+02` allowed);
//! - PAC: a sign starts a new number (`+10160+10159-3`);
//! - SQZ: the first digit and sign in one letter (`@`=0, `A`..`I`=1..9, `a`..`i`=-1..-9);
//! - DIF: the same for a difference from the previous ordinate (`%`=0, `J`..`R`, `j`..`r`);
//! - DUP: repeat the previous token so that it occurs N times (`S`..`Z`=1..8, `s`=9).

/// One token of a data line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Token {
    Abs(f64),
    Dif(f64),
    Dup(u32),
}

/// Whether a table uses the compressed forms: any SQZ, DIF or DUP character other than `E`/`e`
/// (which AFFN also uses for exponents). In a compressed table `E`/`e` is SQZ; otherwise it is
/// an exponent.
pub fn is_compressed<'a>(lines: impl IntoIterator<Item = &'a str>) -> bool {
    lines.into_iter().any(|l| {
        l.bytes().any(|b| {
            matches!(b, b'@' | b'A'..=b'I' | b'a'..=b'i' | b'%' | b'J'..=b'R' | b'j'..=b'r' | b'S'..=b'Z' | b's')
                && b != b'E'
                && b != b'e'
        })
    })
}

/// Tokenise one data line; `buf` is scratch space reused between lines.
pub fn tokenize(
    line: &str,
    compressed: bool,
    buf: &mut String,
    out: &mut Vec<Token>,
) -> Result<(), String> {
    out.clear();
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let (kind, lead): (u8, Option<(bool, u8)>) = match c {
            b' ' | b'\t' | b',' | b';' | b'\r' => {
                i += 1;
                continue;
            }
            b'0'..=b'9' | b'.' => (b'a', None),
            b'+' | b'-' => (b'a', None),
            b'@' => (b's', Some((false, 0))),
            b'A'..=b'I' => (b's', Some((false, c - b'A' + 1))),
            b'a'..=b'i' => (b's', Some((true, c - b'a' + 1))),
            b'%' => (b'd', Some((false, 0))),
            b'J'..=b'R' => (b'd', Some((false, c - b'J' + 1))),
            b'j'..=b'r' => (b'd', Some((true, c - b'j' + 1))),
            b'S'..=b'Z' => (b'u', Some((false, c - b'S' + 1))),
            b's' => (b'u', Some((false, 9))),
            b'?' => return Err(format!("missing value '?' at column {}", i + 1)),
            _ => {
                let ch = line[i..].chars().next().unwrap_or('?');
                return Err(format!("unexpected character {ch:?} at column {}", i + 1));
            }
        };
        buf.clear();
        let start = i;
        match lead {
            Some((neg, d)) => {
                if neg {
                    buf.push('-');
                }
                buf.push((b'0' + d) as char);
                i += 1;
            }
            None => {
                // AFFN / PAC: optional sign, digits, point, exponent.
                if c == b'+' || c == b'-' {
                    buf.push(c as char);
                    i += 1;
                }
            }
        }
        let affn = lead.is_none();
        while i < bytes.len() {
            let b = bytes[i];
            if b.is_ascii_digit() || b == b'.' {
                buf.push(b as char);
                i += 1;
            } else if affn && !compressed && (b == b'E' || b == b'e') && is_exponent(bytes, i, buf)
            {
                buf.push('e');
                i += 1;
                if i < bytes.len() && (bytes[i] == b'+' || bytes[i] == b'-') {
                    buf.push(bytes[i] as char);
                    i += 1;
                }
            } else {
                break;
            }
        }
        let text = &line[start..i];
        match kind {
            b'u' => {
                let n: u32 = buf
                    .parse()
                    .ok()
                    .filter(|&n| n >= 1)
                    .ok_or_else(|| format!("bad DUP count {text:?}"))?;
                out.push(Token::Dup(n));
            }
            _ => {
                let v: f64 = buf
                    .parse()
                    .map_err(|_| format!("bad number {text:?} at column {}", start + 1))?;
                if !v.is_finite() {
                    return Err(format!("number out of range {text:?}"));
                }
                out.push(if kind == b'd' {
                    Token::Dif(v)
                } else {
                    Token::Abs(v)
                });
            }
        }
    }
    Ok(())
}

/// `E`/`e` inside an uncompressed AFFN number is an exponent when the number so far has a digit
/// and a digit or a signed digit follows: `1.5E2`, `1E+02`.
fn is_exponent(bytes: &[u8], i: usize, so_far: &str) -> bool {
    let has_digit = so_far.bytes().any(|b| b.is_ascii_digit());
    let next = bytes.get(i + 1).copied();
    let signed = matches!(next, Some(b'+') | Some(b'-'))
        && bytes.get(i + 2).is_some_and(|b| b.is_ascii_digit());
    let digit_next = next.is_some_and(|b| b.is_ascii_digit());
    has_digit && !so_far.contains('e') && (signed || digit_next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Token> {
        let mut out = Vec::new();
        tokenize(s, is_compressed([s]), &mut String::new(), &mut out).unwrap();
        out
    }

    #[test]
    fn forms() {
        use Token::*;
        assert_eq!(
            toks("4000 +10160+10159-3"),
            vec![Abs(4000.0), Abs(10160.0), Abs(10159.0), Abs(-3.0)]
        );
        assert_eq!(
            toks("1 1.5E+02, 2.0e-1"),
            vec![Abs(1.0), Abs(150.0), Abs(0.2)]
        );
        assert_eq!(
            toks("16383 B259260E242968g176216"),
            vec![
                Abs(16383.0),
                Abs(2259260.0),
                Abs(5242968.0),
                Abs(-7176216.0)
            ]
        );
        assert_eq!(
            toks("4400H225J3RJ1Mm"),
            vec![
                Abs(4400.0),
                Abs(8225.0),
                Dif(13.0),
                Dif(9.0),
                Dif(11.0),
                Dif(4.0),
                Dif(-4.0)
            ]
        );
        assert_eq!(
            toks("3200C1276%Sj05Ts"),
            vec![
                Abs(3200.0),
                Abs(31276.0),
                Dif(0.0),
                Dup(1),
                Dif(-105.0),
                Dup(2),
                Dup(9)
            ]
        );
        assert_eq!(toks("5000E12J"), vec![Abs(5000.0), Abs(512.0), Dif(1.0)]);
        assert_eq!(toks("5000E12"), vec![Abs(5000e12)]);
        assert_eq!(
            toks("2043.05E49100J"),
            vec![Abs(2043.05), Abs(549100.0), Dif(1.0)]
        );
        assert_eq!(toks("100 1.5E2"), vec![Abs(100.0), Abs(150.0)]);
    }

    #[test]
    fn garbage_is_an_error() {
        let mut out = Vec::new();
        assert!(tokenize("12 A1 ?", true, &mut String::new(), &mut out).is_err());
        assert!(tokenize("12 A1 !", true, &mut String::new(), &mut out).is_err());
        assert!(tokenize("12 +", true, &mut String::new(), &mut out).is_err());
        assert!(tokenize("12 ..", true, &mut String::new(), &mut out).is_err());
        assert!(tokenize("12 é", true, &mut String::new(), &mut out).is_err());
    }
}
