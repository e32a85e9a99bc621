//! Optional API keys for the `/v1` and `/admin` routes: `Authorization: Bearer KEY`, keys read
//! from a file (one per line; blank lines and `#` comments ignored). Keys are kept as SHA-256
//! digests and compared in constant time.

use super::ApiError;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;

pub struct ApiKeys {
    digests: Vec<[u8; 32]>,
}

impl ApiKeys {
    pub fn from_file(path: &Path) -> Result<ApiKeys, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("api keys file {}: {e}", path.display()))?;
        let keys = ApiKeys::from_lines(&text);
        if keys.digests.is_empty() {
            return Err(format!("api keys file {}: no keys", path.display()));
        }
        Ok(keys)
    }

    pub fn from_lines(text: &str) -> ApiKeys {
        let digests = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|k| Sha256::digest(k.as_bytes()).into())
            .collect();
        ApiKeys { digests }
    }

    pub fn allows(&self, key: &str) -> bool {
        let d: [u8; 32] = Sha256::digest(key.as_bytes()).into();
        // Check every key, each byte, so timing says nothing about which matched.
        self.digests.iter().fold(false, |found, k| {
            let diff = k.iter().zip(&d).fold(0u8, |acc, (a, b)| acc | (a ^ b));
            found | (diff == 0)
        })
    }
}

pub async fn require_key(State(keys): State<Arc<ApiKeys>>, req: Request, next: Next) -> Response {
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let detail = match given {
        Some(k) if keys.allows(k) => return next.run(req).await,
        Some(_) => "unknown API key",
        None => "missing Authorization: Bearer <key>",
    };
    let mut resp = ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", detail).closing();
    resp.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer"),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_from_lines_skip_comments_and_blanks() {
        let k = ApiKeys::from_lines("# lab keys\n\n  alpha  \nbeta\n");
        assert!(k.allows("alpha"));
        assert!(k.allows("beta"));
        assert!(!k.allows("gamma"));
        assert!(!k.allows(""));
        assert!(!k.allows("# lab keys"));
    }
}
