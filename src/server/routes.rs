//! The route handlers. Request bodies are the JSON stone shape of `spectrum::StoneJson`.

use super::{ApiError, AppState};
use crate::parcel;
use crate::screen::{SpectrumInput, StoneInput};
use crate::spectrum::{Metadata, StoneJson, from_stone_json, read_bytes};
use crate::verdict::Verdict;
use axum::Json;
use axum::extract::multipart::MultipartError;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, Multipart, Query, Request, State};
use axum::http::{StatusCode, header};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

type Body<T> = Result<Json<T>, JsonRejection>;

pub async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

pub async fn readyz(State(s): State<Arc<AppState>>) -> Result<Json<Value>, ApiError> {
    let n = s.screener.models.models.len();
    if n == 0 {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            "no models loaded",
        ));
    }
    Ok(Json(json!({"status": "ready", "models": n})))
}

pub async fn models(State(s): State<Arc<AppState>>) -> Json<Value> {
    let manifests: Vec<&crate::model::Manifest> = s
        .screener
        .models
        .models
        .iter()
        .map(|m| &m.manifest)
        .collect();
    Json(json!({"backend": crate::model::backend::current(), "models": manifests}))
}

pub async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such route")
}

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

/// Screen on the blocking pool, within the in-flight bound.
async fn run(state: &Arc<AppState>, stones: Vec<StoneInput>) -> Result<Vec<Verdict>, ApiError> {
    let _permit = state.permits.try_acquire().map_err(|_| ApiError::busy())?;
    let st = state.clone();
    tokio::task::spawn_blocking(move || st.screener.screen(&stones))
        .await
        .map_err(|e| ApiError::internal(format!("screening task failed: {e}")))
}

/// One stone: JSON, or `multipart/form-data` with spectrum files (any format the readers know)
/// and optional `stone_id`, `technique`, `excitation_nm`, `temperature_k` fields for files that
/// do not say.
pub async fn screen_one(
    State(s): State<Arc<AppState>>,
    req: Request,
) -> Result<Json<Verdict>, ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let input = if content_type.starts_with("multipart/form-data") {
        let mp = Multipart::from_request(req, &())
            .await
            .map_err(|e| ApiError::new(e.status(), "invalid_multipart", e.body_text()))?;
        multipart_stone(mp, &s).await?
    } else {
        let Json(stone) = Json::<StoneJson>::from_request(req, &()).await?;
        stone_input(stone, 0, &s)?
    };
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

async fn multipart_stone(mut mp: Multipart, state: &AppState) -> Result<StoneInput, ApiError> {
    let mut stone_id: Option<String> = None;
    let mut defaults = Metadata::default();
    let mut spectra: Vec<SpectrumInput> = Vec::new();
    let mut files = Vec::new();
    while let Some(field) = mp.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_string();
        if let Some(file) = field.file_name().map(str::to_string) {
            let bytes = field.bytes().await.map_err(multipart_error)?;
            let read =
                read_bytes(&file, &bytes).map_err(|e| ApiError::unprocessable(e.to_string()))?;
            spectra.extend(read.into_iter().map(|spectrum| SpectrumInput {
                file: file.clone(),
                spectrum,
            }));
            files.push(file);
        } else {
            let text = field.text().await.map_err(multipart_error)?;
            match name.as_str() {
                "stone_id" => stone_id = Some(text.trim().to_string()).filter(|s| !s.is_empty()),
                "technique" | "excitation_nm" | "temperature_k" => {
                    defaults.set(&name, &text);
                    if defaults.extra.contains_key(&name) {
                        return Err(ApiError::unprocessable(format!(
                            "field {name}: cannot use {text:?}"
                        )));
                    }
                }
                _ => {}
            }
        }
    }
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
    for s in spectra.iter_mut() {
        let m = &mut s.spectrum.meta;
        m.technique = m.technique.or(defaults.technique);
        m.excitation_nm = m.excitation_nm.or(defaults.excitation_nm);
        m.temperature_k = m.temperature_k.or(defaults.temperature_k);
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
        ..Default::default()
    })
}

#[derive(Debug, Deserialize)]
pub struct BatchRequest {
    pub stones: Vec<StoneJson>,
}

/// A stone that cannot be read gets its own error record; the others are screened.
fn batch_inputs(stones: Vec<StoneJson>, state: &AppState) -> Result<Vec<StoneInput>, ApiError> {
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

pub async fn screen_batch(
    State(s): State<Arc<AppState>>,
    body: Body<BatchRequest>,
) -> Result<Json<Value>, ApiError> {
    let Json(req) = body?;
    let inputs = batch_inputs(req.stones, &s)?;
    let results = run(&s, inputs).await?;
    Ok(Json(json!({"results": results})))
}

#[derive(Debug, Deserialize)]
pub struct ParcelRequest {
    pub parcel_id: String,
    pub parcel_size: u64,
    #[serde(default)]
    pub declared_origin: Option<String>,
    #[serde(default)]
    pub kp_certificate: Option<String>,
    #[serde(default)]
    pub max_share: Option<f64>,
    #[serde(default)]
    pub confidence: Option<f64>,
    pub stones: Vec<StoneJson>,
}

pub async fn parcel(
    State(s): State<Arc<AppState>>,
    body: Body<ParcelRequest>,
) -> Result<Json<Value>, ApiError> {
    let Json(req) = body?;
    if let Some(o) = req.declared_origin.as_deref()
        && o != "natural"
    {
        return Err(ApiError::unprocessable(format!(
            "declared_origin {o:?}: only natural parcels are screened"
        )));
    }
    let n = req.stones.len() as u64;
    if n > req.parcel_size {
        return Err(ApiError::unprocessable(format!(
            "the sample ({n}) is larger than the parcel ({})",
            req.parcel_size
        )));
    }
    let inputs = batch_inputs(req.stones, &s)?;
    let verdicts = run(&s, inputs).await?;
    let summary = parcel::summarise(
        &verdicts,
        req.parcel_size,
        req.max_share.unwrap_or(0.01),
        req.confidence.unwrap_or(0.95),
    )
    .map_err(|e| ApiError::unprocessable(e.to_string()))?;
    Ok(Json(json!({
        "parcel_id": req.parcel_id,
        "kp_certificate": req.kp_certificate,
        "summary": summary,
        "stones": verdicts,
    })))
}

#[derive(Debug, Deserialize)]
pub struct PlanQuery {
    pub parcel_size: u64,
    #[serde(default)]
    pub max_share: Option<f64>,
    #[serde(default)]
    pub confidence: Option<f64>,
}

pub async fn sampling_plan(
    q: Result<Query<PlanQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = q?;
    let p = q.max_share.unwrap_or(0.01);
    let c = q.confidence.unwrap_or(0.95);
    let n =
        parcel::plan(q.parcel_size, p, c).map_err(|e| ApiError::unprocessable(e.to_string()))?;
    Ok(Json(json!({
        "parcel_size": q.parcel_size,
        "max_share": p,
        "confidence": c,
        "sample_size": n,
        "sample_size_unlimited_parcel": parcel::sampling_plan_infinite(p, c),
    })))
}
