//! The OpenAPI document, generated from the handlers' annotations. The router and the document
//! come from the same registrations (`utoipa-axum`), so every route is in the document.

use super::routes::{ops, parcel, screen};
use super::{AppState, auth, page};
use axum::Router;
use std::sync::{Arc, OnceLock};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "diamond-screen",
        description = "Screens diamonds (natural, laboratory-grown CVD/HPHT, simulants) from \
            optical spectra. A stone passes as natural only on positive evidence; everything \
            else is referred for laboratory testing.",
    ),
    tags(
        (name = "screen", description = "Single stones and batches"),
        (name = "parcels", description = "Parcel screening and sampling plans (customs)"),
        (name = "models", description = "The loaded models"),
        (name = "ops", description = "Health, readiness, metrics, reload"),
        (name = "page", description = "The web page for the bench"),
    ),
    modifiers(&BearerKeys)
)]
struct ApiDoc;

/// Declares the optional bearer keys on the routes `--api-keys` protects.
struct BearerKeys;

impl Modify for BearerKeys {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Routes that `--api-keys` protects.
fn protected() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(screen::screen_one))
        .routes(routes!(screen::screen_batch))
        .routes(routes!(screen::plot))
        .routes(routes!(parcel::parcel))
        .routes(routes!(parcel::sampling_plan))
        .routes(routes!(ops::models))
        .routes(routes!(ops::reload))
}

fn public() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(ops::healthz))
        .routes(routes!(ops::readyz))
        .routes(routes!(ops::metrics))
        .routes(routes!(ops::openapi_json))
        .routes(routes!(page::index))
        .routes(routes!(page::script))
        .routes(routes!(page::style))
}

/// The document: every route, with the protected ones marked as taking a bearer key.
pub fn document() -> &'static utoipa::openapi::OpenApi {
    static DOC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = OpenApiRouter::with_openapi(ApiDoc::openapi())
            .merge(protected())
            .into_openapi();
        let key = SecurityRequirement::new("api_key", Vec::<String>::new());
        for item in doc.paths.paths.values_mut() {
            for op in [&mut item.get, &mut item.post].into_iter().flatten() {
                // Keys are optional: without `--api-keys` the empty requirement applies.
                op.security = Some(vec![key.clone(), SecurityRequirement::default()]);
            }
        }
        let public = public().into_openapi();
        doc.paths.paths.extend(public.paths.paths);
        doc
    })
}

pub fn document_json() -> String {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| document().to_pretty_json().unwrap_or_default())
        .clone()
}

/// The application's routes (without the outer layers), keys required where configured.
pub fn routes(state: &Arc<AppState>) -> Router<Arc<AppState>> {
    let mut p = protected();
    if let Some(keys) = &state.keys {
        p = p.route_layer(axum::middleware::from_fn_with_state(
            keys.clone(),
            auth::require_key,
        ));
    }
    let (router, _) = p.merge(public()).split_for_parts();
    router
}
