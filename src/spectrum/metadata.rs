//! What a file says about the stone and the measurement, and the one place where the many
//! spellings of metadata keys (`Stone ID`, `stone_id`, `##$SAMPLE ID`, `laser-wavelength`...)
//! are mapped onto fields. Every reader feeds its key/value pairs through [`Metadata::set`].

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How the spectrum was measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Technique {
    /// Photoluminescence.
    Pl,
    Raman,
    /// UV-visible(-NIR) absorption.
    Uvvis,
    /// Mid-infrared (FTIR) absorption.
    Ftir,
}

impl Technique {
    pub fn name(self) -> &'static str {
        match self {
            Technique::Pl => "pl",
            Technique::Raman => "raman",
            Technique::Uvvis => "uvvis",
            Technique::Ftir => "ftir",
        }
    }

    /// Parse `pl`, `photoluminescence`, `RAMAN SPECTRUM`, `INFRARED SPECTRUM`, `UV-VIS`, `FTIR`...
    pub fn parse(s: &str) -> Option<Technique> {
        let l = s.trim().to_ascii_lowercase();
        let c: String = l.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        if c.starts_with("pl") || c.contains("photolum") || c.contains("luminescence") {
            Some(Technique::Pl)
        } else if c.contains("raman") {
            Some(Technique::Raman)
        } else if c.contains("uvvis") || c.contains("uvvisible") || c.starts_with("uv") {
            Some(Technique::Uvvis)
        } else if c.contains("ftir") || c.contains("infrared") || c == "ir" || c == "mir" {
            Some(Technique::Ftir)
        } else {
            None
        }
    }
}

impl std::fmt::Display for Technique {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Metadata of one spectrum. Unknown keys are kept in `extra`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    pub stone_id: Option<String>,
    pub technique: Option<Technique>,
    pub excitation_nm: Option<f64>,
    pub temperature_k: Option<f64>,
    pub instrument: Option<String>,
    /// Where the spectrum came from (file path, upload name).
    pub source: Option<String>,
    pub title: Option<String>,
    /// True for spectra made by `diamond-screen simulate` (sample files say so).
    #[serde(default)]
    pub simulated: bool,
    /// What a reader had to infer because the file did not say (shown to the user).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inferred: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, String>,
}

/// The field a metadata key names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    StoneId,
    Technique,
    Excitation,
    Temperature,
    Instrument,
    Title,
    XUnit,
    YUnit,
    Simulated,
    Other,
}

/// Normalise a key: lower case, vendor prefixes (`$`, `.`) dropped, spaces, hyphens, underscores
/// and slashes removed; then map the known spellings.
pub fn classify_key(raw: &str) -> Key {
    let k: String = raw
        .trim()
        .trim_start_matches(['$', '.', '#'])
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '/' | '\t'))
        .flat_map(|c| c.to_lowercase())
        .collect();
    // Drop a trailing unit in brackets: "excitation (nm)", "temperature[k]".
    let k = k.split(['(', '[']).next().unwrap_or("").to_string();
    match k.as_str() {
        "stoneid" | "stone" | "sampleid" | "sample" | "stonename" | "samplename" | "id" => {
            Key::StoneId
        }
        "technique" | "method" | "datatype" | "measurement" | "spectrumtype" => Key::Technique,
        "excitationnm"
        | "excitation"
        | "excitationwavelength"
        | "excitationwavelengthnm"
        | "laserwavelength"
        | "laserwavelengthnm"
        | "laser"
        | "lasernm"
        | "laserline"
        | "excitationlaser" => Key::Excitation,
        "temperaturek" | "temperature" | "temp" | "tempk" | "sampletemperature" => Key::Temperature,
        "instrument" | "spectrometer" | "spectrometerdatasystem" | "device" | "instrumentname" => {
            Key::Instrument
        }
        "title" | "names" => Key::Title,
        "xunit" | "xunits" | "xaxis" => Key::XUnit,
        "yunit" | "yunits" | "yaxis" => Key::YUnit,
        "simulated" => Key::Simulated,
        _ => Key::Other,
    }
}

/// The leading number of a value such as `532 nm` or `77K`.
pub fn leading_number(v: &str) -> Option<f64> {
    let v = v.trim();
    let end = v
        .char_indices()
        .find(|&(i, c)| {
            !(c.is_ascii_digit() || c == '.' || ((c == '-' || c == '+') && i == 0))
                && !((c == 'e' || c == 'E')
                    && v[i + 1..].starts_with(|d: char| d.is_ascii_digit() || d == '-'))
        })
        .map(|(i, _)| i)
        .unwrap_or(v.len());
    v[..end].parse::<f64>().ok().filter(|x| x.is_finite())
}

impl Metadata {
    /// Record one key/value pair. Returns the key's class so readers can pick up units.
    /// A value that cannot be understood for a typed field is kept in `extra` instead.
    pub fn set(&mut self, raw_key: &str, value: &str) -> Key {
        let key = classify_key(raw_key);
        let v = value.trim();
        let keep = |m: &mut Metadata| {
            m.extra.insert(raw_key.trim().to_string(), v.to_string());
        };
        match key {
            Key::StoneId if !v.is_empty() => self.stone_id = Some(v.to_string()),
            Key::Technique => match Technique::parse(v) {
                Some(t) => self.technique = Some(t),
                None => keep(self),
            },
            Key::Excitation => match leading_number(v).filter(|x| *x > 100.0 && *x < 2000.0) {
                Some(x) => self.excitation_nm = Some(x),
                None => keep(self),
            },
            Key::Temperature => match leading_number(v) {
                Some(t) => {
                    let l = v.to_lowercase();
                    // The unit in the value (`-196 C`, `77K`) or else in the key
                    // (`Temperature (°C)`, `temp [C]`).
                    let lk = raw_key.to_lowercase();
                    let key_celsius = lk.contains("°c") || lk.contains("(c)") || lk.contains("[c]");
                    let celsius = l.ends_with('c')
                        || l.contains("°c")
                        || l.contains("deg c")
                        || (key_celsius && !l.trim_end().ends_with('k'));
                    let k = if celsius { t + 273.15 } else { t };
                    // No sample is at 0 K or below (a field left at 0 is not a measurement).
                    if k > 0.0 && k < 2000.0 {
                        self.temperature_k = Some(k);
                    } else {
                        keep(self)
                    }
                }
                None => keep(self),
            },
            Key::Instrument if !v.is_empty() => self.instrument = Some(v.to_string()),
            Key::Title if !v.is_empty() => self.title = Some(v.to_string()),
            Key::Simulated => {
                let word = v
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase();
                self.simulated = matches!(word.as_str(), "true" | "yes" | "1")
            }
            Key::XUnit | Key::YUnit => {}
            _ => {
                if !raw_key.trim().is_empty() {
                    keep(self)
                }
            }
        }
        key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_keys() {
        for k in [
            "stone_id",
            "Stone ID",
            "STONE-ID",
            "$STONE ID",
            "$SAMPLE ID",
            "sample_id",
        ] {
            assert_eq!(classify_key(k), Key::StoneId, "{k}");
        }
        for k in [
            "excitation_nm",
            "$EXCITATION WAVELENGTH",
            "$LASER WAVELENGTH",
            ".LASER WAVELENGTH",
            "Excitation (nm)",
        ] {
            assert_eq!(classify_key(k), Key::Excitation, "{k}");
        }
        assert_eq!(classify_key("temperature_k"), Key::Temperature);
        assert_eq!(classify_key("$TEMPERATURE"), Key::Temperature);
        assert_eq!(classify_key("DATA TYPE"), Key::Technique);
        assert_eq!(classify_key("XUNITS"), Key::XUnit);
        assert_eq!(classify_key("ORIGIN"), Key::Other);
    }

    #[test]
    fn values_are_typed() {
        let mut m = Metadata::default();
        m.set("excitation", "532 nm");
        m.set("temperature", "-196 C");
        m.set("technique", "PHOTOLUMINESCENCE SPECTRUM");
        m.set("stone id", " A-17 ");
        m.set("owner", "lab");
        assert_eq!(m.excitation_nm, Some(532.0));
        assert!((m.temperature_k.unwrap() - 77.15).abs() < 1e-9);
        let mut by_key = Metadata::default();
        by_key.set("Temperature (°C)", "-196");
        assert!((by_key.temperature_k.unwrap() - 77.15).abs() < 1e-9);
        by_key.set("temperature_k", "0");
        assert!(
            (by_key.temperature_k.unwrap() - 77.15).abs() < 1e-9,
            "0 K is never taken"
        );
        assert_eq!(m.technique, Some(Technique::Pl));
        assert_eq!(m.stone_id.as_deref(), Some("A-17"));
        assert_eq!(m.extra.get("owner").map(String::as_str), Some("lab"));
        // nonsense goes to extra, not into a typed field
        m.set("excitation", "green");
        assert_eq!(m.excitation_nm, Some(532.0));
        assert_eq!(m.extra.get("excitation").map(String::as_str), Some("green"));
    }

    #[test]
    fn technique_names() {
        assert_eq!(Technique::parse("INFRARED SPECTRUM"), Some(Technique::Ftir));
        assert_eq!(
            Technique::parse("UV-VISIBLE SPECTRUM"),
            Some(Technique::Uvvis)
        );
        assert_eq!(Technique::parse("UV/VIS"), Some(Technique::Uvvis));
        assert_eq!(Technique::parse("RAMAN SPECTRUM"), Some(Technique::Raman));
        assert_eq!(Technique::parse("pl"), Some(Technique::Pl));
        assert_eq!(Technique::parse("NMR Spectrum"), None);
        assert_eq!(leading_number("1.5e2 nm"), Some(150.0));
        assert_eq!(leading_number("77K"), Some(77.0));
        assert_eq!(leading_number("x"), None);
    }
}
