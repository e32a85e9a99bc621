//! Screening: one stone (JSON or multipart files), a batch of stones, and the plot of a
//! stone's spectra. Request bodies are the JSON stone shape of `spectrum::StoneJson`.

use crate::plot::render_png;
use crate::screen::{SpectrumInput, StoneInput};
use crate::server::error::ErrorBody;
use crate::server::{ApiError, AppState, offload};
use crate::spectrum::{Metadata, ReadOptions, StoneJson, XUnit, from_stone_json, read_bytes_with};
use crate::stage::findings;
use crate::verdict::Verdict;
use axum::Json;
use axum::extract::multipart::MultipartError;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;

/// A request stone, checked like a file: spectra count, then every reader rule.
fn stone_input(stone: StoneJson, index: usize, state: &AppState) -> Result<StoneInput, ApiError> {
    let id = stone
        .stone_id
        .clone()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| format!("stone-{index}"));
    let max = state.config.max_spectra_per_stone;
    if stone.spectra.len() > max {
        return Err(ApiError::too_large(format!(
            "stone {id}: {} spectra, at most {max}",
            stone.spectra.len()
        )));
    }
    let spectra =
        from_stone_json(&id, stone).map_err(|e| ApiError::unprocessable(e.to_string()))?;
    Ok(StoneInput {
        spectra: spectra
            .into_iter()
            .enumerate()
            .map(|(i, spectrum)| SpectrumInput {
                file: format!("{id}:spectra[{i}]"),
                spectrum,
            })
            .collect(),
        id,
        ..Default::default()
    })
}

/// Screen through the batcher, within the in-flight bound (503 beyond it).
pub(super) async fn run(
    state: &Arc<AppState>,
    stones: Vec<StoneInput>,
) -> Result<Vec<Verdict>, ApiError> {
    let _permit = state.permits.try_acquire().map_err(|_| ApiError::busy())?;
    let _gauge = InFlight::new(state);
    state
        .batcher
        .screen(stones)
        .await
        .map_err(ApiError::internal)
}

/// Counts a request in the in-flight gauge for as long as it lives.
struct InFlight<'a>(&'a AppState);

impl<'a> InFlight<'a> {
    fn new(s: &'a AppState) -> InFlight<'a> {
        s.metrics.in_flight.inc();
        InFlight(s)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.metrics.in_flight.dec();
    }
}

/// The multipart form of one stone (for the OpenAPI document).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct StoneUpload {
    /// Spectrum files in any format the readers know: text (CSV/TSV/TXT, vendor text exports),
    /// JCAMP-DX, JSON, and the vendor binaries (OPUS, OMNIC SPA/SPG, WiRE WDF, GRAMS SPC,
    /// Andor SIF, Princeton SPE and the others of openreadout-spectro).
    #[schema(value_type = Vec<String>, format = Binary)]
    files: Vec<Vec<u8>>,
    stone_id: Option<String>,
    /// For files that do not say: pl, ftir, ...
    technique: Option<String>,
    excitation_nm: Option<f64>,
    temperature_k: Option<f64>,
    /// x unit of files that name none: nm, um, angstrom, m, cm-1, raman_shift, ev.
    x_unit: Option<String>,
    /// Of a file with several spectra, screen only this one (1-based).
    spectrum: Option<u32>,
}

/// A stone from JSON or a multipart upload.
async fn stone_from_request(s: &Arc<AppState>, req: Request) -> Result<StoneInput, ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("multipart/form-data") {
        let mp = Multipart::from_request(req, &())
            .await
            .map_err(|e| ApiError::new(e.status(), "invalid_multipart", e.body_text()))?;
        multipart_stone(mp, s).await
    } else {
        let stone: StoneJson = offload::json(req).await?;
        let state = s.clone();
        offload::blocking(move || stone_input(stone, 0, &state)).await?
    }
}

/// Screen one stone: JSON, or `multipart/form-data` with spectrum files and optional
/// `stone_id`, `technique`, `excitation_nm`, `temperature_k` fields for files that do not say.
#[utoipa::path(post, path = "/v1/screen", tag = "screen",
    request_body(content((StoneJson = "application/json"), (StoneUpload = "multipart/form-data"))),
    responses((status = 200, body = Verdict), (status = 400, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn screen_one(
    State(s): State<Arc<AppState>>,
    req: Request,
) -> Result<Json<Verdict>, ApiError> {
    let input = stone_from_request(&s, req).await?;
    let mut v = run(&s, vec![input]).await?;
    v.pop()
        .map(Json)
        .ok_or_else(|| ApiError::internal("no verdict"))
}

fn multipart_error(e: MultipartError) -> ApiError {
    let code = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        "too_large"
    } else {
        "invalid_multipart"
    };
    ApiError::new(e.status(), code, e.body_text())
}

async fn multipart_stone(mut mp: Multipart, state: &Arc<AppState>) -> Result<StoneInput, ApiError> {
    let mut stone_id: Option<String> = None;
    let mut defaults = Metadata::default();
    let mut opts = ReadOptions::default();
    // Files are read once every field is in: a field may come after the files it describes.
    let mut uploads: Vec<(String, axum::body::Bytes)> = Vec::new();
    while let Some(field) = mp.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_string();
        if let Some(file) = field.file_name().map(str::to_string) {
            let bytes = field.bytes().await.map_err(multipart_error)?;
            uploads.push((file, bytes));
        } else {
            let text = field.text().await.map_err(multipart_error)?;
            let bad = || ApiError::unprocessable(format!("field {name}: cannot use {text:?}"));
            match name.as_str() {
                "stone_id" => stone_id = Some(text.trim().to_string()).filter(|s| !s.is_empty()),
                "technique" | "excitation_nm" | "temperature_k" => {
                    defaults.set(&name, &text);
                    if defaults.extra.contains_key(&name) {
                        return Err(bad());
                    }
                }
                "x_unit" => match XUnit::parse(&text) {
                    XUnit::Other(_) => return Err(bad()),
                    u => opts.x_unit = Some(u),
                },
                "spectrum" => {
                    opts.spectrum = Some(
                        text.trim()
                            .parse::<usize>()
                            .ok()
                            .filter(|n| *n >= 1)
                            .ok_or_else(bad)?,
                    )
                }
                _ => {}
            }
        }
    }
    opts.technique = defaults.technique;
    opts.excitation_nm = defaults.excitation_nm;
    opts.temperature_k = defaults.temperature_k;
    // Parsing the files is CPU work: off the executor.
    let (spectra, files, sha256) = offload::blocking(move || {
        let mut spectra: Vec<SpectrumInput> = Vec::new();
        let mut files = Vec::new();
        let mut sha256 = Vec::new();
        for (file, bytes) in uploads {
            let read = read_bytes_with(&file, &bytes, &opts)
                .map_err(|e| ApiError::unprocessable(e.to_string()))?;
            spectra.extend(read.into_iter().map(|spectrum| SpectrumInput {
                file: file.clone(),
                spectrum,
            }));
            files.push(file);
            sha256.push(Some(crate::digest::sha256_hex(&bytes)));
        }
        Ok::<_, ApiError>((spectra, files, sha256))
    })
    .await??;
    if spectra.is_empty() {
        return Err(ApiError::unprocessable(
            "multipart request with no spectrum files",
        ));
    }
    let max = state.config.max_spectra_per_stone;
    if spectra.len() > max {
        return Err(ApiError::too_large(format!(
            "{} spectra, at most {max}",
            spectra.len()
        )));
    }
    let id = stone_id
        .or_else(|| {
            spectra
                .iter()
                .find_map(|s| s.spectrum.meta.stone_id.clone())
        })
        .unwrap_or_else(|| "stone-0".into());
    Ok(StoneInput {
        id,
        spectra,
        files,
        sha256,
        ..Default::default()
    })
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct BatchRequest {
    pub stones: Vec<StoneJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResponse {
    /// One record per stone, in order; a stone that cannot be read has verdict "error".
    pub results: Vec<Verdict>,
}

/// A stone that cannot be read gets its own error record; the others are screened.
pub(super) fn batch_inputs(
    stones: Vec<StoneJson>,
    state: &AppState,
) -> Result<Vec<StoneInput>, ApiError> {
    let max = state.config.max_stones;
    if stones.len() > max {
        return Err(ApiError::too_large(format!(
            "{} stones, at most {max} per request",
            stones.len()
        )));
    }
    if stones.is_empty() {
        return Err(ApiError::unprocessable("no stones"));
    }
    stones
        .into_iter()
        .enumerate()
        .map(|(i, st)| {
            let id = st.stone_id.clone().unwrap_or_else(|| format!("stone-{i}"));
            match stone_input(st, i, state) {
                Ok(input) => Ok(input),
                Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => Ok(StoneInput {
                    id,
                    errors: vec![e.detail],
                    ..Default::default()
                }),
                Err(e) => Err(e),
            }
        })
        .collect()
}

/// Screen many stones; a bad stone gets its own error record without failing the others.
#[utoipa::path(post, path = "/v1/screen/batch", tag = "screen", request_body = BatchRequest,
    responses((status = 200, body = BatchResponse), (status = 400, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn screen_batch(
    State(s): State<Arc<AppState>>,
    req: Request,
) -> Result<Json<BatchResponse>, ApiError> {
    let req: BatchRequest = offload::json(req).await?;
    let state = s.clone();
    let inputs = offload::blocking(move || batch_inputs(req.stones, &state)).await??;
    let results = run(&s, inputs).await?;
    Ok(Json(BatchResponse { results }))
}

/// A PNG of the stone's spectra, one panel each, with the detected centres marked (same body
/// as `/v1/screen`).
#[utoipa::path(post, path = "/v1/plot", tag = "screen",
    request_body(content((StoneJson = "application/json"), (StoneUpload = "multipart/form-data"))),
    responses((status = 200, content_type = "image/png", body = Vec<u8>),
        (status = 400, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn plot(
    State(s): State<Arc<AppState>>,
    req: Request,
) -> Result<impl IntoResponse, ApiError> {
    let input = stone_from_request(&s, req).await?;
    let _permit = s.permits.try_acquire().map_err(|_| ApiError::busy())?;
    let png = offload::blocking(move || {
        let detections: Vec<_> = input
            .spectra
            .iter()
            .map(|i| findings(&i.spectrum))
            .collect();
        let panels: Vec<_> = input
            .spectra
            .iter()
            .map(|i| &i.spectrum)
            .zip(&detections)
            .collect();
        render_png(&panels, 1000, 340)
    })
    .await?
    .map_err(|e| ApiError::unprocessable(e.to_string()))?;
    Ok(([(header::CONTENT_TYPE, "image/png")], png))
}
