//! Abscissa and ordinate units, and exact conversions between abscissa units.
//!
//! Wavelengths are taken as measured (in air, as spectrometers report them); no air/vacuum
//! correction is applied, matching how labs quote line positions.

use serde::{Deserialize, Serialize};

/// Unit of the abscissa.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum XUnit {
    /// Wavelength in nanometres.
    Nm,
    /// Wavelength in micrometres.
    Um,
    /// Wavelength in angstrom (EnSpectr files).
    Angstrom,
    /// Wavelength in metres (qudi and other quantum-optics software).
    Metre,
    /// Photon energy in electronvolts.
    Ev,
    /// Wavenumber in cm^-1 (absorption spectra).
    Wavenumber,
    /// Raman shift in cm^-1 relative to the excitation wavelength (in the metadata).
    RamanShift,
    /// A unit this crate does not convert, kept by its name (e.g. `HZ`).
    Other(String),
}

/// The name of [`YUnit::single_beam`].
const SINGLE_BEAM: &str = "single_beam";

/// Unit of the ordinate.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum YUnit {
    Counts,
    Absorbance,
    /// Absorption coefficient in cm^-1.
    AbsorptionCoefficient,
    Transmittance,
    Reflectance,
    Arbitrary,
    Other(String),
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConvertError {
    #[error("converting between {from} and {to} needs the excitation wavelength")]
    NeedsExcitation { from: String, to: String },
    #[error("cannot convert x unit {from} to {to}")]
    Incompatible { from: String, to: String },
    #[error(
        "the x unit is not known (the file names none and its range does not settle it: see \
         the note on the x unit); \
         state it with --x-unit on the command line or the x_unit field of a request \
         (nm, um, angstrom, m, cm-1, raman_shift, ev)"
    )]
    UnknownUnit,
    #[error("x value {0} cannot be converted (zero or negative wavelength/wavenumber)")]
    OutOfDomain(f64),
}

impl XUnit {
    /// Parse a unit as files spell it: `nm`, `NANOMETERS`, `1/CM`, `cm-1`, `Raman shift (cm-1)`,
    /// `MICROMETERS`, `um`, `µm`... Anything else is kept by name.
    pub fn parse(s: &str) -> XUnit {
        let t = s.trim();
        let l = t.to_ascii_lowercase();
        let compact: String = l.chars().filter(|c| !c.is_whitespace()).collect();
        // a unit written after an axis quantity's name: `wavelength_um`, `lambda/nm`,
        // `energy[ev]` (only after such a name: `irradiance/nm` or `counts_per_ev` name no axis)
        let suffix = compact
            .trim_end_matches([')', ']'])
            .rsplit_once(['_', '(', '[', '/'])
            .filter(|(name, _)| {
                ["wavelength", "lambda", "wl", "energy", "x"]
                    .iter()
                    .any(|q| name.starts_with(q))
            })
            .map(|(_, u)| u);
        if compact.contains("raman") || compact.contains("shift") {
            XUnit::RamanShift
        } else if compact.contains("1/cm")
            || compact.contains("cm-1")
            || compact.contains("cm^-1")
            || compact.contains("cm^{-1}")
            || compact.contains("cm⁻¹")
            || compact.contains("wavenumber")
        {
            XUnit::Wavenumber
        } else if compact.contains("nanomet")
            || compact == "nm"
            || compact.ends_with("(nm)")
            || suffix == Some("nm")
        {
            XUnit::Nm
        } else if compact.contains("micromet")
            || compact == "um"
            || compact == "µm"
            || compact == "μm"
            || compact.ends_with("(um)")
            || compact.ends_with("(µm)")
            || matches!(suffix, Some("um" | "µm" | "μm" | "micron" | "microns"))
        {
            XUnit::Um
        } else if compact.contains("angstr")
            || compact.contains('å')
            || compact.contains('Å')
            || compact.ends_with("(a)")
        {
            XUnit::Angstrom
        } else if matches!(
            compact.as_str(),
            "m" | "metre" | "metres" | "meter" | "meters"
        ) || compact.ends_with("(m)")
            || compact.ends_with("[m]")
        {
            XUnit::Metre
        } else if compact == "ev"
            || suffix == Some("ev")
            || compact.ends_with("(ev)")
            || compact.ends_with("[ev]")
            || compact.contains("electronvolt")
        {
            XUnit::Ev
        } else if compact.starts_with("wavelength") {
            XUnit::Nm
        } else {
            XUnit::Other(t.to_string())
        }
    }

    pub fn name(&self) -> &str {
        match self {
            XUnit::Nm => "nm",
            XUnit::Um => "um",
            XUnit::Angstrom => "angstrom",
            XUnit::Metre => "m",
            XUnit::Ev => "ev",
            XUnit::Wavenumber => "cm-1",
            XUnit::RamanShift => "raman_shift_cm-1",
            XUnit::Other(s) => s,
        }
    }
}

impl std::fmt::Display for XUnit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl YUnit {
    pub fn parse(s: &str) -> YUnit {
        let t = s.trim();
        let l = t.to_ascii_lowercase();
        if l.contains("absorbance") || l == "abs" || l == "a" {
            YUnit::Absorbance
        } else if l.contains("coefficient") {
            YUnit::AbsorptionCoefficient
        } else if l.contains("transmit") || l == "%t" || l == "t" {
            YUnit::Transmittance
        } else if l.contains("reflect") {
            YUnit::Reflectance
        } else if l.contains("count") || l.contains("intensity") || l == "cps" {
            YUnit::Counts
        } else if l.contains("arbitrary") || l == "a.u." || l == "au" || l.is_empty() {
            YUnit::Arbitrary
        } else {
            YUnit::Other(t.to_string())
        }
    }

    /// A single-channel (single-beam) infrared spectrum: the sample's intensity, not ratioed
    /// to a background (what the vendor readers give such a trace).
    pub fn single_beam() -> YUnit {
        YUnit::Other(SINGLE_BEAM.into())
    }

    /// Whether this is [`YUnit::single_beam`].
    pub fn is_single_beam(&self) -> bool {
        matches!(self, YUnit::Other(n) if n == SINGLE_BEAM)
    }

    pub fn name(&self) -> &str {
        match self {
            YUnit::Counts => "counts",
            YUnit::Absorbance => "absorbance",
            YUnit::AbsorptionCoefficient => "absorption_coefficient",
            YUnit::Transmittance => "transmittance",
            YUnit::Reflectance => "reflectance",
            YUnit::Arbitrary => "arbitrary",
            YUnit::Other(s) => s,
        }
    }
}

/// h c in eV nm (CODATA 2018: 1239.841984...), for photon energy <-> wavelength.
pub const HC_EV_NM: f64 = 1_239.841_984_332_003;

/// The name an x unit gets when a file names none and nothing makes it unambiguous.
pub const UNKNOWN: &str = "unknown";

impl XUnit {
    /// The unit a file did not name and that could not be inferred.
    pub fn unknown() -> XUnit {
        XUnit::Other(UNKNOWN.into())
    }

    /// True for [`XUnit::unknown`].
    pub fn is_unknown(&self) -> bool {
        matches!(self, XUnit::Other(n) if n == UNKNOWN)
    }
}

/// Convert one abscissa value. `excitation_nm` is needed only to or from Raman shift.
///
/// nm <-> cm^-1: k = 1e7 / lambda. Raman shift: shift = 1e7/lambda_exc - 1e7/lambda.
pub fn convert(
    x: f64,
    from: &XUnit,
    to: &XUnit,
    excitation_nm: Option<f64>,
) -> Result<f64, ConvertError> {
    if from == to {
        return Ok(x);
    }
    let incompatible = || ConvertError::Incompatible {
        from: from.name().to_string(),
        to: to.name().to_string(),
    };
    let needs_exc = || ConvertError::NeedsExcitation {
        from: from.name().to_string(),
        to: to.name().to_string(),
    };
    // Go through wavelength in nm.
    let nm = match from {
        XUnit::Nm => x,
        XUnit::Um => x * 1000.0,
        XUnit::Angstrom => x / 10.0,
        XUnit::Metre => x * 1e9,
        XUnit::Ev => {
            if x <= 0.0 {
                return Err(ConvertError::OutOfDomain(x));
            }
            HC_EV_NM / x
        }
        XUnit::Wavenumber => {
            if x <= 0.0 {
                return Err(ConvertError::OutOfDomain(x));
            }
            1e7 / x
        }
        XUnit::RamanShift => {
            let exc = excitation_nm.ok_or_else(needs_exc)?;
            let k = 1e7 / exc - x;
            if k <= 0.0 {
                return Err(ConvertError::OutOfDomain(x));
            }
            1e7 / k
        }
        XUnit::Other(name) if name == UNKNOWN => return Err(ConvertError::UnknownUnit),
        XUnit::Other(_) => return Err(incompatible()),
    };
    if nm <= 0.0 {
        return Err(ConvertError::OutOfDomain(x));
    }
    match to {
        XUnit::Nm => Ok(nm),
        XUnit::Um => Ok(nm / 1000.0),
        XUnit::Angstrom => Ok(nm * 10.0),
        XUnit::Metre => Ok(nm * 1e-9),
        XUnit::Ev => Ok(HC_EV_NM / nm),
        XUnit::Wavenumber => Ok(1e7 / nm),
        XUnit::RamanShift => {
            let exc = excitation_nm.ok_or_else(needs_exc)?;
            Ok(1e7 / exc - 1e7 / nm)
        }
        XUnit::Other(_) => Err(incompatible()),
    }
}

/// Wavelength (nm) at which a Raman shift (cm^-1) appears for a given excitation (nm).
pub fn raman_line_nm(excitation_nm: f64, shift_cm: f64) -> f64 {
    1e7 / (1e7 / excitation_nm - shift_cm)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diamond_raman_line_positions_match_domain_table() {
        // domain.md section 3: 572.6 nm at 532, 428.1 at 405, 339.7 at 325, 552.4 at 514.5
        for (exc, want) in [
            (532.0, 572.6),
            (405.0, 428.1),
            (325.0, 339.7),
            (514.5, 552.4),
        ] {
            let got = raman_line_nm(exc, 1332.5);
            assert!((got - want).abs() < 0.06, "{exc}: {got} vs {want}");
        }
    }

    #[test]
    fn conversions_round_trip_exactly() {
        let units = [
            XUnit::Nm,
            XUnit::Um,
            XUnit::Angstrom,
            XUnit::Metre,
            XUnit::Ev,
            XUnit::Wavenumber,
            XUnit::RamanShift,
        ];
        for from in &units {
            for to in &units {
                for &x in &[0.5f64, 1.7, 400.0, 532.3, 1332.5, 2500.0] {
                    // pick values valid for `from`
                    let x = match from {
                        XUnit::Um => x / 1000.0 + 0.4,
                        XUnit::Angstrom => x * 10.0 + 3000.0,
                        XUnit::Metre => x * 1e-9 + 3e-7,
                        XUnit::Ev => x / 1000.0 + 1.0,
                        XUnit::RamanShift => x.min(10_000.0),
                        _ => x + 300.0,
                    };
                    let there = convert(x, from, to, Some(532.0)).unwrap();
                    let back = convert(there, to, from, Some(532.0)).unwrap();
                    assert!(
                        (back - x).abs() <= 1e-9 * x.abs().max(1.0),
                        "{from}->{to}->{from}: {x} -> {there} -> {back}"
                    );
                }
            }
        }
    }

    #[test]
    fn known_values() {
        assert_eq!(
            convert(500.0, &XUnit::Nm, &XUnit::Wavenumber, None),
            Ok(20000.0)
        );
        assert_eq!(
            convert(2.5, &XUnit::Um, &XUnit::Wavenumber, None),
            Ok(4000.0)
        );
        assert_eq!(
            convert(4000.0, &XUnit::Wavenumber, &XUnit::Um, None),
            Ok(2.5)
        );
        let shift = convert(572.6, &XUnit::Nm, &XUnit::RamanShift, Some(532.0)).unwrap();
        assert!((shift - 1332.7).abs() < 0.2, "{shift}");
        assert!(matches!(
            convert(600.0, &XUnit::Nm, &XUnit::RamanShift, None),
            Err(ConvertError::NeedsExcitation { .. })
        ));
        assert!(matches!(
            convert(1.0, &XUnit::Other("HZ".into()), &XUnit::Nm, None),
            Err(ConvertError::Incompatible { .. })
        ));
        assert!(matches!(
            convert(0.0, &XUnit::Wavenumber, &XUnit::Nm, None),
            Err(ConvertError::OutOfDomain(_))
        ));
    }

    #[test]
    fn unit_spellings() {
        assert_eq!(XUnit::parse("Angstrom"), XUnit::Angstrom);
        assert_eq!(XUnit::parse("Wavelength (Å)"), XUnit::Angstrom);
        assert_eq!(XUnit::parse("Wavelength (m)"), XUnit::Metre);
        assert_eq!(XUnit::parse("m"), XUnit::Metre);
        assert_eq!(XUnit::parse("Energy (eV)"), XUnit::Ev);
        assert_eq!(
            XUnit::parse("Energy (meV)"),
            XUnit::Other("Energy (meV)".into())
        );
        assert!(
            (convert(5320.6, &XUnit::Angstrom, &XUnit::Nm, None).unwrap() - 532.06).abs() < 1e-9
        );
        assert!((convert(7.37e-7, &XUnit::Metre, &XUnit::Nm, None).unwrap() - 737.0).abs() < 1e-9);
        assert!((convert(1.945, &XUnit::Ev, &XUnit::Nm, None).unwrap() - 637.45).abs() < 0.01);
        assert_eq!(
            convert(1.0, &XUnit::unknown(), &XUnit::Nm, None),
            Err(ConvertError::UnknownUnit)
        );
        assert_eq!(XUnit::parse("1/CM"), XUnit::Wavenumber);
        assert_eq!(XUnit::parse("NANOMETERS"), XUnit::Nm);
        assert_eq!(XUnit::parse("MICROMETERS"), XUnit::Um);
        assert_eq!(XUnit::parse("Raman Shift (cm-1)"), XUnit::RamanShift);
        assert_eq!(XUnit::parse("Wavelength (nm)"), XUnit::Nm);
        // the unit after the quantity's name, as column names write it
        assert_eq!(XUnit::parse("wavelength_um"), XUnit::Um);
        assert_eq!(XUnit::parse("Wavelength [µm]"), XUnit::Um);
        assert_eq!(XUnit::parse("lambda/nm"), XUnit::Nm);
        assert_eq!(XUnit::parse("wavelength_microns"), XUnit::Um);
        assert_eq!(XUnit::parse("energy_eV"), XUnit::Ev);
        assert_eq!(XUnit::parse("wavelength_nm"), XUnit::Nm);
        for name in [
            "counts_um_ratio",
            "Irradiance (uW/cm^2/nm)",
            "counts_per_ev",
            "signal/nm",
        ] {
            assert_eq!(XUnit::parse(name), XUnit::Other(name.into()), "{name}");
        }
        assert_eq!(XUnit::parse("cm^-1"), XUnit::Wavenumber);
        assert_eq!(XUnit::parse("HZ"), XUnit::Other("HZ".into()));
        assert_eq!(YUnit::parse("ABSORBANCE"), YUnit::Absorbance);
        assert_eq!(YUnit::parse("TRANSMITTANCE"), YUnit::Transmittance);
        assert_eq!(YUnit::parse("ARBITRARY UNITS"), YUnit::Arbitrary);
    }
}
