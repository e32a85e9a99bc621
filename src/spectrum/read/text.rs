//! Bytes to text: UTF-8 (BOM dropped), UTF-16 with a BOM, Latin-1 as the fallback for legacy
//! exports (degree and micro signs); binary files are refused with a hint of what they are.

use super::ReadErrorKind;
use std::borrow::Cow;

/// The text of a file's bytes, decoded as every reader decodes it.
pub fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, ReadErrorKind> {
    if bytes.is_empty() {
        return Err(ReadErrorKind::Empty);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return decode_utf8_or_latin1(rest);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, u16::from_be_bytes);
    }
    let probe = &bytes[..bytes.len().min(8192)];
    if probe.contains(&0) {
        return Err(ReadErrorKind::NotText("contains NUL bytes".into()));
    }
    decode_utf8_or_latin1(bytes)
}

fn decode_utf8_or_latin1(bytes: &[u8]) -> Result<Cow<'_, str>, ReadErrorKind> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(Cow::Borrowed(s)),
        Err(_) => {
            let controls = bytes
                .iter()
                .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
                .count();
            if controls * 100 > bytes.len() {
                return Err(ReadErrorKind::NotText("control characters".into()));
            }
            Ok(Cow::Owned(bytes.iter().map(|&b| b as char).collect()))
        }
    }
}

fn utf16(bytes: &[u8], word: fn([u8; 2]) -> u16) -> Result<Cow<'_, str>, ReadErrorKind> {
    if !bytes.len().is_multiple_of(2) {
        return Err(ReadErrorKind::NotText("UTF-16 text of odd length".into()));
    }
    let words = bytes.chunks_exact(2).map(|c| word([c[0], c[1]]));
    char::decode_utf16(words)
        .collect::<Result<String, _>>()
        .map(Cow::Owned)
        .map_err(|_| ReadErrorKind::NotText("invalid UTF-16".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        assert_eq!(decode(b"\xEF\xBB\xBFab").unwrap(), "ab");
        assert_eq!(decode(b"\xFF\xFEa\x00b\x00").unwrap(), "ab");
        assert_eq!(decode(b"\xFE\xFF\x00a\x00b").unwrap(), "ab");
        assert_eq!(decode(b"T=25\xB0C").unwrap(), "T=25°C");
        assert!(matches!(decode(b"a\x00b"), Err(ReadErrorKind::NotText(_))));
        assert!(matches!(decode(b""), Err(ReadErrorKind::Empty)));
        // Vendor binaries are the binary readers' (read/binary.rs); here they are just not text.
        assert!(matches!(
            decode(b"Spectral Data File\x00\x01"),
            Err(ReadErrorKind::NotText(_))
        ));
    }
}
