//! Report pictures: each spectrum with the centres the detector found marked and labelled,
//! coloured by what they indicate (natural green, CVD red, HPHT orange, treatment purple,
//! neutral grey, simulant blue), and the diamond Raman line. PNG bytes, for files and for the
//! HTTP service. The font (DejaVu Sans) is embedded, so no system fonts are needed.

use crate::lines::{Detection, Indicates};
use crate::spectrum::{Spectrum, Technique, XUnit};
use plotters::prelude::*;
use plotters::style::FontStyle;
use std::sync::Once;

#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    #[error("drawing failed: {0}")]
    Draw(String),
    #[error("nothing to plot")]
    Empty,
}

fn draw_err<E: std::fmt::Debug>(e: E) -> PlotError {
    PlotError::Draw(format!("{e:?}"))
}

static FONT: Once = Once::new();

fn register_font() {
    FONT.call_once(|| {
        // The embedded font is valid; a failure would only lose text, not the plot.
        let _ = plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            dejavu::sans::regular(),
        );
        let _ = plotters::style::register_font("sans-serif", FontStyle::Bold, dejavu::sans::bold());
    });
}

fn colour(i: Indicates) -> RGBColor {
    match i {
        Indicates::Natural => RGBColor(0, 140, 60),
        Indicates::Cvd => RGBColor(200, 30, 30),
        Indicates::Hpht => RGBColor(230, 120, 0),
        Indicates::Treatment => RGBColor(130, 50, 170),
        Indicates::Neutral => RGBColor(110, 110, 110),
        Indicates::Simulant => RGBColor(30, 80, 200),
    }
}

/// The unit a spectrum is drawn in.
fn display_unit(s: &Spectrum) -> XUnit {
    match s.meta.technique {
        Some(Technique::Ftir) => XUnit::Wavenumber,
        Some(Technique::Raman) => XUnit::RamanShift,
        Some(_) => XUnit::Nm,
        None => s.x_unit.clone(),
    }
}

fn title(s: &Spectrum) -> String {
    let m = &s.meta;
    let mut t = format!("stone {}", m.stone_id.as_deref().unwrap_or("?"));
    if let Some(tech) = m.technique {
        t.push_str(&format!(" - {}", tech.name().to_uppercase()));
    }
    if let Some(e) = m.excitation_nm {
        t.push_str(&format!(" {e} nm"));
    }
    if let Some(k) = m.temperature_k {
        t.push_str(&format!(", {k} K"));
    }
    if m.simulated {
        t.push_str("  [SIMULATED]");
    }
    t
}

/// Render spectra (one panel each) with their detections as PNG bytes.
pub fn render_png(
    panels: &[(&Spectrum, &Detection)],
    width: u32,
    panel_height: u32,
) -> Result<Vec<u8>, PlotError> {
    if panels.is_empty() {
        return Err(PlotError::Empty);
    }
    register_font();
    let height = panel_height * panels.len() as u32;
    let mut buf = vec![0u8; (width * height * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let areas = root.split_evenly((panels.len(), 1));
        for (area, (s, d)) in areas.iter().zip(panels) {
            draw_panel(area, s, d)?;
        }
        root.present().map_err(draw_err)?;
    }
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(&buf, width, height, image::ColorType::Rgb8)
        .map_err(draw_err)?;
    Ok(out)
}

use image::ImageEncoder;

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    s: &Spectrum,
    d: &Detection,
) -> Result<(), PlotError> {
    let unit = display_unit(s);
    let (x, y) = s
        .converted(&unit)
        .unwrap_or_else(|_| (s.x.clone(), s.y.clone()));
    // FTIR: the one-phonon fit in a strip under the spectrum.
    let curves = d
        .ftir
        .as_ref()
        .filter(|_| unit == XUnit::Wavenumber)
        .and_then(|t| crate::lines::ftir::fit_curves(&x, &y, t));
    let (area, strip) = match &curves {
        Some(_) => {
            let (top, bottom) = area.split_vertically(area.dim_in_pixel().1 * 3 / 5);
            (top, Some(bottom))
        }
        None => (area.clone(), None),
    };
    if let (Some(c), Some(strip)) = (&curves, &strip) {
        draw_fit(strip, c, d)?;
    }
    let (xmin, xmax) = (x[0], x[x.len() - 1]);
    let ymin = y.iter().copied().fold(f64::INFINITY, f64::min);
    let ymax = y.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let pad = (ymax - ymin).max(1e-12) * 0.25;
    let (ylo, yhi) = (ymin - 0.02 * pad, ymax + pad);
    // FTIR is drawn with wavenumber falling to the right, as the trade reads it.
    let xr = if unit == XUnit::Wavenumber {
        xmax..xmin
    } else {
        xmin..xmax
    };
    let mut chart = ChartBuilder::on(&area)
        .caption(
            title(s),
            ("sans-serif", 20).into_font().style(FontStyle::Bold),
        )
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(70)
        .build_cartesian_2d(xr, ylo..yhi)
        .map_err(draw_err)?;
    let x_desc = match unit {
        XUnit::Nm => "wavelength (nm)".to_string(),
        XUnit::Wavenumber => "wavenumber (cm-1)".to_string(),
        XUnit::RamanShift => "Raman shift (cm-1)".to_string(),
        ref u => u.name().to_string(),
    };
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(s.converted_y_unit().name().to_string())
        .label_style(("sans-serif", 13))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(draw_err)?;
    chart
        .draw_series(LineSeries::new(
            x.iter().copied().zip(y.iter().copied()),
            RGBColor(20, 20, 20).stroke_width(1),
        ))
        .map_err(draw_err)?;
    let mut marks: Vec<(f64, String, RGBColor)> = Vec::new();
    if let Some(r) = d.raman.as_ref().filter(|r| r.present) {
        let at = if unit == XUnit::RamanShift {
            r.offset_cm + 1332.5
        } else {
            r.observed
        };
        marks.push((at, "diamond Raman".into(), RGBColor(0, 0, 0)));
    }
    for e in &d.evidence {
        let label = format!("{} {:.1}", e.centre, e.observed);
        marks.push((e.observed, label, colour(e.indicates)));
    }
    marks.sort_by(|a, b| a.0.total_cmp(&b.0));
    let span = yhi - ylo;
    for (k, (at, label, c)) in marks.iter().enumerate() {
        chart
            .draw_series(DashedLineSeries::new(
                vec![(*at, ylo), (*at, yhi - 0.05 * span)],
                4,
                3,
                c.stroke_width(1),
            ))
            .map_err(draw_err)?;
        let ty = yhi - (0.04 + 0.055 * (k % 4) as f64) * span;
        chart
            .draw_series(std::iter::once(Text::new(
                label.clone(),
                (*at, ty),
                ("sans-serif", 13).into_font().color(c),
            )))
            .map_err(draw_err)?;
    }
    if !d.quality.usable {
        let msg = format!("not usable: {}", d.quality.problems.join("; "));
        chart
            .draw_series(std::iter::once(Text::new(
                msg,
                (
                    if unit == XUnit::Wavenumber {
                        xmax
                    } else {
                        xmin
                    },
                    ylo + 0.03 * span,
                ),
                ("sans-serif", 13).into_font().color(&RED),
            )))
            .map_err(draw_err)?;
    }
    Ok(())
}

/// The one-phonon fit: the normalised spectrum, the fitted total, each nitrogen component and
/// what is not nitrogen (baseline and broad bands), with the fitted ppm in the caption.
fn draw_fit<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    c: &crate::lines::ftir::FitCurves,
    d: &Detection,
) -> Result<(), PlotError> {
    let all = c.measured.iter().chain(&c.total).chain(&c.other);
    let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
        (a.min(v), b.max(v))
    });
    let lo = lo.min(0.0);
    let pad = (hi - lo).max(1e-9) * 0.1;
    let caption = match d.ftir.as_ref().map(|t| (&t.diamond_type, &t.nitrogen)) {
        Some((ty, n)) if n.determined => format!(
            "one-phonon fit: type {ty}, N (ppm) A {:.0}  B {:.0}  C {:.0}  N+ {:.0}",
            n.ppm.a.unwrap_or(0.0),
            n.ppm.b.unwrap_or(0.0),
            n.ppm.c.unwrap_or(0.0),
            n.ppm.x.unwrap_or(0.0)
        ),
        _ => "one-phonon fit: nitrogen not determined (broad band not explained)".into(),
    };
    let (x0, x1) = (c.x[0], c.x[c.x.len() - 1]);
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 15))
        .margin(12)
        .x_label_area_size(30)
        .y_label_area_size(70)
        .build_cartesian_2d(x1..x0, lo - pad..hi + pad)
        .map_err(draw_err)?;
    chart
        .configure_mesh()
        .x_desc("wavenumber (cm-1)")
        .y_desc("absorption (cm-1)")
        .label_style(("sans-serif", 12))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(draw_err)?;
    let line = |v: &[f64]| {
        c.x.iter()
            .copied()
            .zip(v.iter().copied())
            .collect::<Vec<_>>()
    };
    let colours = [
        RGBColor(230, 120, 0),
        RGBColor(0, 140, 60),
        RGBColor(110, 110, 110),
        RGBColor(0, 90, 200),
        RGBColor(130, 50, 170),
    ];
    chart
        .draw_series(LineSeries::new(
            line(&c.measured),
            RGBColor(20, 20, 20).stroke_width(1),
        ))
        .map_err(draw_err)?;
    chart
        .draw_series(LineSeries::new(line(&c.total), RED.stroke_width(1)))
        .map_err(draw_err)?
        .label("fit")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], RED));
    chart
        .draw_series(DashedLineSeries::new(
            line(&c.other),
            5,
            3,
            RGBColor(120, 120, 120).stroke_width(1),
        ))
        .map_err(draw_err)?
        .label("baseline + broad bands")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], RGBColor(120, 120, 120)));
    for (j, name) in crate::lines::ftir::fit::COMPONENT_NAMES.iter().enumerate() {
        if c.components[j].iter().all(|v| v.abs() < 1e-9) {
            continue;
        }
        let col = colours[j];
        chart
            .draw_series(LineSeries::new(line(&c.components[j]), col.stroke_width(2)))
            .map_err(draw_err)?
            .label(*name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], col));
    }
    chart
        .configure_series_labels()
        .label_font(("sans-serif", 12))
        .background_style(WHITE.mix(0.8))
        .border_style(RGBColor(200, 200, 200))
        .draw()
        .map_err(draw_err)?;
    Ok(())
}
