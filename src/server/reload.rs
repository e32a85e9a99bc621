//! Hot reload of the models (SIGHUP or `POST /admin/reload`): the new set is loaded and verified
//! (checksums, input shapes) beside the old one; only a set that loads whole replaces it, so a
//! broken package leaves the old models serving.

use super::AppState;
use crate::screen::Screener;
use std::sync::Arc;

/// Builds a fresh screener from the configured model folder.
pub type Loader = Box<dyn Fn() -> Result<Screener, String> + Send + Sync>;

impl AppState {
    /// Load the models again; on success swap them in and return their ids.
    pub fn reload(&self) -> Result<Vec<String>, String> {
        let Some(load) = &self.loader else {
            return Err("this server was started without a model folder to reload from".into());
        };
        let result = load().and_then(|s| {
            if s.models.models.is_empty() {
                Err("the model folder holds no models".to_string())
            } else {
                Ok(s)
            }
        });
        match result {
            Ok(screener) => {
                let ids = model_ids(&screener);
                self.screener.store(Arc::new(screener));
                self.metrics.reloads.with_label_values(&["ok"]).inc();
                tracing::info!(models = ?ids, "models reloaded");
                Ok(ids)
            }
            Err(e) => {
                self.metrics.reloads.with_label_values(&["failed"]).inc();
                tracing::error!(error = %e, "reload failed; the old models keep serving");
                Err(e)
            }
        }
    }
}

pub fn model_ids(s: &Screener) -> Vec<String> {
    s.models
        .models
        .iter()
        .map(|m| m.manifest.spec.id.clone())
        .collect()
}

/// Reload on every SIGHUP until the process ends.
pub async fn on_sighup(state: Arc<AppState>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut hup) = signal(SignalKind::hangup()) else {
            tracing::warn!("cannot listen for SIGHUP; reload with POST /admin/reload");
            return;
        };
        while hup.recv().await.is_some() {
            let st = state.clone();
            let _ = tokio::task::spawn_blocking(move || st.reload()).await;
        }
    }
    #[cfg(not(unix))]
    drop(state);
}
