//! Parcels (customs): screen a sample, then release or hold with an exact bound; and the
//! sampling plan that says how many stones to screen.

use super::screen::{batch_inputs, run};
use crate::parcel::{self, ParcelSummary};
use crate::server::error::ErrorBody;
use crate::server::{ApiError, AppState, offload};
use crate::spectrum::StoneJson;
use crate::verdict::Verdict;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, Request, State};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, ToSchema)]
pub struct ParcelRequest {
    pub parcel_id: String,
    /// Stones in the whole parcel (the sample is a part of it).
    pub parcel_size: u64,
    /// Only "natural" parcels are screened.
    #[serde(default)]
    pub declared_origin: Option<String>,
    /// Kimberley Process certificate number, echoed back.
    #[serde(default)]
    pub kp_certificate: Option<String>,
    /// Share of stones not confirmed natural the declaration tolerates (default 0.01).
    #[serde(default)]
    pub max_share: Option<f64>,
    /// Confidence of the bound (default 0.95).
    #[serde(default)]
    pub confidence: Option<f64>,
    pub stones: Vec<StoneJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ParcelResponse {
    pub parcel_id: String,
    pub kp_certificate: Option<String>,
    pub summary: ParcelSummary,
    pub stones: Vec<Verdict>,
}

/// Screen a parcel sample: per-stone records and release or hold, with an exact
/// (hypergeometric) upper bound on the share of non-natural stones in the whole parcel.
#[utoipa::path(post, path = "/v1/parcels", tag = "parcels", request_body = ParcelRequest,
    responses((status = 200, body = ParcelResponse), (status = 400, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 503, body = ErrorBody)))]
pub async fn parcel(
    State(s): State<Arc<AppState>>,
    req: Request,
) -> Result<Json<ParcelResponse>, ApiError> {
    let mut req: ParcelRequest = offload::json(req).await?;
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
    let max_share = req.max_share.unwrap_or(0.01);
    let confidence = req.confidence.unwrap_or(0.95);
    // Check the plan's parameters before spending time on the stones.
    parcel::check_params(max_share, confidence)
        .map_err(|e| ApiError::unprocessable(e.to_string()))?;
    let (state, sample) = (s.clone(), std::mem::take(&mut req.stones));
    let inputs = offload::blocking(move || batch_inputs(sample, &state)).await??;
    let stones = run(&s, inputs).await?;
    let parcel_size = req.parcel_size;
    let (summary, stones) = offload::blocking(move || {
        parcel::summarise(&stones, parcel_size, max_share, confidence).map(|s| (s, stones))
    })
    .await?
    .map_err(|e| ApiError::unprocessable(e.to_string()))?;
    Ok(Json(ParcelResponse {
        parcel_id: req.parcel_id,
        kp_certificate: req.kp_certificate,
        summary,
        stones,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PlanQuery {
    /// Stones in the whole parcel.
    pub parcel_size: u64,
    /// Share of non-natural stones to detect (default 0.01).
    #[serde(default)]
    pub max_share: Option<f64>,
    /// Default 0.95.
    #[serde(default)]
    pub confidence: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanResponse {
    pub parcel_size: u64,
    pub max_share: f64,
    pub confidence: f64,
    /// Stones to screen: if none of them is non-natural, the share in the parcel is below
    /// `max_share` with this confidence (exact, hypergeometric).
    pub sample_size: u64,
    /// The same for a parcel too large to matter (binomial).
    pub sample_size_unlimited_parcel: u64,
}

/// How many stones of a parcel to screen.
#[utoipa::path(get, path = "/v1/sampling-plan", tag = "parcels", params(PlanQuery),
    responses((status = 200, body = PlanResponse), (status = 400, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn sampling_plan(
    q: Result<Query<PlanQuery>, QueryRejection>,
) -> Result<Json<PlanResponse>, ApiError> {
    let Query(q) = q?;
    let p = q.max_share.unwrap_or(0.01);
    let c = q.confidence.unwrap_or(0.95);
    let size = q.parcel_size;
    let n = offload::blocking(move || parcel::plan(size, p, c))
        .await?
        .map_err(|e| ApiError::unprocessable(e.to_string()))?;
    Ok(Json(PlanResponse {
        parcel_size: q.parcel_size,
        max_share: p,
        confidence: c,
        sample_size: n,
        sample_size_unlimited_parcel: parcel::sampling_plan_infinite(p, c),
    }))
}
