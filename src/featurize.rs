//! Training data: a labelled folder through a model spec's protocol and features, written as a
//! `.npy` matrix (float32, one row per spectrum) and a `.csv` of row labels. Preprocessing has
//! this one implementation; the Python trainer only reads the matrix.

use crate::channel::Channel;
use crate::labels::Label;
use crate::model::ModelSpec;
use crate::screen::StoneInput;
use crate::stage::stage;
use rayon::prelude::*;
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

/// stone_id, truth, subtype, file
type RowInfo = [String; 4];

pub struct Features {
    pub rows: Vec<f32>,
    pub n_features: usize,
    pub info: Vec<RowInfo>,
    pub skipped: Vec<String>,
}

/// Feature rows of every spectrum of `spec`'s channel among labelled stones.
pub fn featurize(
    stones: &[StoneInput],
    labels: &HashMap<String, Label>,
    spec: &ModelSpec,
) -> Features {
    let nf = spec.n_features();
    let items: Vec<(&StoneInput, &crate::screen::SpectrumInput, &Label)> = stones
        .iter()
        .filter_map(|st| labels.get(&st.id).map(|l| (st, l)))
        .flat_map(|(st, l)| {
            st.spectra
                .iter()
                .filter(|s| Channel::of(&s.spectrum) == Some(spec.channel))
                .map(move |s| (st, s, l))
        })
        .collect();
    let results: Vec<Result<(Vec<f32>, RowInfo), String>> = items
        .par_iter()
        .map(|(st, s, l)| {
            let mut row = vec![0f32; nf];
            let staged = stage(&s.spectrum, &mut [(spec, row.as_mut_slice())]);
            if let Some(Err(e)) = staged.rows.into_iter().next() {
                return Err(format!("{}: {e}", s.file));
            }
            Ok((
                row,
                [
                    st.id.clone(),
                    l.truth.name().to_string(),
                    l.subtype.clone(),
                    s.file.clone(),
                ],
            ))
        })
        .collect();
    let mut f = Features {
        rows: Vec::with_capacity(items.len() * nf),
        n_features: nf,
        info: Vec::new(),
        skipped: Vec::new(),
    };
    for r in results {
        match r {
            Ok((row, info)) => {
                f.rows.extend_from_slice(&row);
                f.info.push(info);
            }
            Err(e) => f.skipped.push(e),
        }
    }
    f
}

/// Write a float32 C-order `.npy` (format 1.0).
pub fn write_npy(path: &Path, data: &[f32], rows: usize, cols: usize) -> std::io::Result<()> {
    let mut header =
        format!("{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {cols}), }}");
    // magic (6) + version (2) + header length (2) + header + '\n' is a multiple of 64
    let pad = 64 - (10 + header.len() + 1) % 64;
    header.push_str(&" ".repeat(pad % 64));
    header.push('\n');
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    w.write_all(b"\x93NUMPY\x01\x00")?;
    w.write_all(&(header.len() as u16).to_le_bytes())?;
    w.write_all(header.as_bytes())?;
    for v in data {
        w.write_all(&v.to_le_bytes())?;
    }
    w.flush()
}

/// Write `<prefix>.npy`, `<prefix>.csv` (row labels) and `<prefix>.columns.txt`.
pub fn write_features(prefix: &Path, f: &Features, spec: &ModelSpec) -> std::io::Result<()> {
    let n = f.info.len();
    write_npy(&prefix.with_extension("npy"), &f.rows, n, f.n_features)?;
    let mut w = std::io::BufWriter::new(std::fs::File::create(prefix.with_extension("csv"))?);
    writeln!(w, "stone_id,truth,subtype,file")?;
    for i in &f.info {
        writeln!(w, "{},{},{},{}", i[0], i[1], i[2], i[3])?;
    }
    w.flush()?;
    std::fs::write(
        prefix.with_extension("columns.txt"),
        spec.feature_names().join("\n") + "\n",
    )
}
