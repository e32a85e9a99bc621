//! What a model sees: its channel, its preprocessing protocol, and which detector features are
//! appended to the prepared spectrum. A spec is written by hand (models/train/specs/), used by
//! `featurize` to make training data, and copied into the trained model's manifest, so training
//! and serving compute features with this one implementation.

use crate::channel::Channel;
use crate::lines::Detection;
use crate::preprocess::{PrepareError, Protocol};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureSpec {
    /// Whether the prepared spectrum on the protocol's grid is part of the row (the default).
    /// Without it the protocol still runs to measure the grid's coverage, and the model sees
    /// only the detector's findings: the 532 nm model since the seventeenth session, whose
    /// model on the spectrum itself did not carry over to other instruments (models/README.md).
    #[serde(default = "spectrum_default")]
    pub spectrum: bool,
    /// Centres whose detection strength (log1p of SNR, 0 when not seen) is a feature, in order.
    pub centres: Vec<String>,
    /// Raman-line features: present, log1p(SNR), |calibration offset| / 10 cm^-1.
    pub raman: bool,
    /// FTIR typing features (asinh of the absorption coefficients).
    pub ftir: bool,
}

fn spectrum_default() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    pub id: String,
    pub version: String,
    pub channel: Channel,
    pub protocol: Protocol,
    pub features: FeatureSpec,
}

const FTIR_FEATURES: [&str; 13] = [
    "ftir_two_phonon",
    "ftir_nitrogen_determined",
    "ftir_n_a",
    "ftir_n_b",
    "ftir_n_c",
    "ftir_n_x",
    "ftir_broad_band",
    "ftir_fit_residual",
    "ftir_c_1344",
    "ftir_platelets",
    "ftir_boron",
    "ftir_h_3107",
    "ftir_h_3123",
];

impl ModelSpec {
    /// Check the spec once: a valid protocol that ends on a grid, known centres.
    pub fn validate(&self) -> Result<(), String> {
        self.protocol.validate().map_err(|e| e.to_string())?;
        if self.protocol.grid().is_none() {
            return Err(format!(
                "{}: the protocol has no resample step, so no fixed input size",
                self.id
            ));
        }
        for c in &self.features.centres {
            if crate::lines::table::by_name(c).is_none() {
                return Err(format!("{}: unknown centre {c:?}", self.id));
            }
        }
        Ok(())
    }

    /// How many grid values lead the row: the grid's length, or none without the spectrum.
    fn grid_features(&self) -> usize {
        match (self.features.spectrum, self.protocol.grid()) {
            (true, Some(g)) => g.n,
            _ => 0,
        }
    }

    /// The length of [`Self::feature_names`], counted without building the names (screening
    /// asks it for every spectrum).
    pub fn n_features(&self) -> usize {
        self.grid_features()
            + 1
            + if self.features.raman { 3 } else { 0 }
            + self.features.centres.len()
            + if self.features.ftir {
                FTIR_FEATURES.len()
            } else {
                0
            }
    }

    /// Names of the input columns, in order.
    pub fn feature_names(&self) -> Vec<String> {
        let mut v: Vec<String> = (0..self.grid_features())
            .map(|i| format!("grid_{i}"))
            .collect();
        v.push("coverage".into());
        if self.features.raman {
            v.extend(["raman_present", "raman_log_snr", "raman_offset"].map(String::from));
        }
        v.extend(self.features.centres.iter().map(|c| format!("centre_{c}")));
        if self.features.ftir {
            v.extend(FTIR_FEATURES.map(String::from));
        }
        v
    }

    /// Write the feature row (`row.len() == n_features()`) from the protocol's output `p` and
    /// the detector's findings; [`crate::stage`] runs both.
    pub fn write_prepared(
        &self,
        p: crate::preprocess::Prepared,
        det: &Detection,
        row: &mut [f32],
    ) -> Result<(), PrepareError> {
        if p.coverage < crate::preprocess::MIN_GRID_COVERAGE {
            return Err(PrepareError::Coverage(p.coverage));
        }
        let grid = self.protocol.grid().map_or(0, |g| g.n);
        if p.y.len() != grid {
            return Err(PrepareError::Invalid(format!(
                "{}: protocol gave {} values for a grid of {grid}",
                self.id,
                p.y.len()
            )));
        }
        let mut k = 0;
        let mut put = |v: f64| {
            row[k] = if v.is_finite() {
                v.clamp(-1e4, 1e4) as f32
            } else {
                0.0
            };
            k += 1;
        };
        if self.features.spectrum {
            for &v in &p.y {
                put(v);
            }
        }
        put(p.coverage);
        if self.features.raman {
            match det.raman.as_ref() {
                Some(r) => {
                    put(if r.present { 1.0 } else { 0.0 });
                    put(r.snr.max(0.0).ln_1p());
                    put(if r.present {
                        r.offset_cm.abs() / 10.0
                    } else {
                        0.0
                    });
                }
                None => (0..3).for_each(|_| put(0.0)),
            }
        }
        for c in &self.features.centres {
            let snr = det
                .evidence
                .iter()
                .find(|e| &e.centre == c)
                .map_or(0.0, |e| e.snr.max(0.0));
            put(snr.ln_1p());
        }
        if self.features.ftir {
            match det.ftir.as_ref() {
                Some(t) => {
                    // Nitrogen in tens of ppm (0 where not determined), heights in cm^-1.
                    let n = &t.nitrogen;
                    let ppm = |v: Option<f64>| v.unwrap_or(0.0) / 10.0;
                    let height = |p: Option<crate::lines::ftir::peak_fit::PeakFit>| {
                        p.map_or(0.0, |p| p.height)
                    };
                    for v in [
                        t.two_phonon_snr.max(0.0).ln_1p(),
                        if n.determined { 1.0 } else { 0.0 },
                        ppm(n.ppm.a),
                        ppm(n.ppm.b),
                        ppm(n.ppm.c),
                        ppm(n.ppm.x),
                        n.broad_band.map_or(0.0, |b| b.height),
                        10.0 * n.residual,
                        t.c_1344,
                        height(t.platelet),
                        t.boron_2802,
                        height(t.h3107),
                        height(t.h3123),
                    ] {
                        put(v.asinh());
                    }
                }
                None => (0..FTIR_FEATURES.len()).for_each(|_| put(0.0)),
            }
        }
        debug_assert_eq!(k, row.len());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::{Channel as SimChannel, Family, Kind, simulate_kind, stone_rng};

    /// A model without the spectrum in its row reads the detector's findings only: the same
    /// values, in the same order, as the row with the spectrum after its grid, and its protocol
    /// still measures the coverage (a spectrum covering too little of the grid is refused).
    #[test]
    fn a_row_without_the_spectrum_is_the_findings_alone() {
        let findings: ModelSpec =
            serde_json::from_str(include_str!("../../models/train/specs/pl532.json")).unwrap();
        assert!(
            !findings.features.spectrum,
            "the shipped 532 nm spec reads the findings"
        );
        findings.validate().unwrap();
        let mut whole = findings.clone();
        whole.features.spectrum = true;
        let n = whole.protocol.grid().unwrap().n;
        assert_eq!(findings.n_features() + n, whole.n_features());
        assert_eq!(findings.feature_names().len(), findings.n_features());
        assert_eq!(findings.feature_names(), whole.feature_names()[n..]);
        // an older manifest, written before the field existed, keeps its spectrum
        let mut old = serde_json::to_value(&whole).unwrap();
        old["features"].as_object_mut().unwrap().remove("spectrum");
        assert!(
            serde_json::from_value::<ModelSpec>(old)
                .unwrap()
                .features
                .spectrum
        );
        let mut seen = 0;
        for i in 0..6 {
            let st = simulate_kind(
                &mut stone_rng(21, i),
                format!("F{i}"),
                [Kind::NaturalIa, Kind::CvdAsGrown, Kind::HphtNi][i as usize % 3],
                &[SimChannel::Pl532],
                Family::ALL[i as usize % Family::ALL.len()],
            );
            let s = &st.spectra[0].1;
            let (mut a, mut b) = (
                vec![0f32; findings.n_features()],
                vec![0f32; whole.n_features()],
            );
            let staged = crate::stage::stage(
                s,
                &mut [(&findings, a.as_mut_slice()), (&whole, b.as_mut_slice())],
            );
            assert_eq!(staged.rows[0].is_ok(), staged.rows[1].is_ok());
            if staged.rows[0].is_ok() {
                assert_eq!(a, b[n..]);
                seen += staged.detection.evidence.len();
            }
            // cut to a quarter of the grid: refused for coverage, with or without the spectrum
            let mut short = s.clone();
            let keep: Vec<usize> = (0..s.x.len()).filter(|&k| s.x[k] < 590.0).collect();
            short.x = keep.iter().map(|&k| s.x[k]).collect();
            short.y = keep.iter().map(|&k| s.y[k]).collect();
            let staged = crate::stage::stage(&short, &mut [(&findings, a.as_mut_slice())]);
            assert!(
                matches!(staged.rows[0], Err(PrepareError::Coverage(_))),
                "{i}"
            );
        }
        assert!(seen > 0, "no centre seen: the rows compared only zeros");
    }
}
