//! Device credentials. A device token is 256 random bits (CSPRNG), shown
//! once at enrolment and stored as its SHA-256: a high-entropy secret needs
//! no slow hash (argon2 is for PINs), and a stolen database yields no
//! usable token. Enrolment codes are 12 characters from an alphabet
//! without look-alikes (≈ 59 bits), single use, and expire.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::api::AppState;
use crate::error::ApiError;
use crate::storage::DeviceRow;

const TOKEN_PREFIX: &str = "cpt1_";
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

pub fn hash_secret(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new device token: `cpt1_` and 64 hex digits.
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    format!("{TOKEN_PREFIX}{}", hex(&bytes))
}

/// A new enrolment code, `XXXX-XXXX-XXXX`.
pub fn new_enrol_code() -> String {
    let mut rng = rand::rng();
    let chars: Vec<char> = (0..12)
        .map(|_| char::from(CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())]))
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// What is hashed for a typed code: upper case, without spaces or dashes
/// (a code read over the phone may be typed either way).
pub fn normalize_enrol_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The authenticated device of a request (`Authorization: Bearer …`),
/// read from the database on every request: a revocation applies to the
/// very next one, on every server instance.
pub struct Device(pub DeviceRow);

impl FromRequestParts<AppState> for Device {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .ok_or(ApiError::CredentialsMissing)?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| t.starts_with(TOKEN_PREFIX) && t.len() < 200)
            .ok_or(ApiError::CredentialsInvalid)?;
        let device = state
            .storage
            .device_by_token(&hash_secret(token))
            .await?
            .ok_or(ApiError::CredentialsInvalid)?;
        if device.revoked_at.is_some() {
            return Err(ApiError::DeviceRevoked);
        }
        Ok(Device(device))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_codes() {
        let a = new_token();
        assert!(a.starts_with("cpt1_") && a.len() == 5 + 64, "{a}");
        assert_ne!(a, new_token());
        assert_eq!(hash_secret(&a).len(), 32);
        let c = new_enrol_code();
        assert_eq!(c.len(), 14, "{c}");
        assert!(normalize_enrol_code(&c)
            .bytes()
            .all(|b| CODE_ALPHABET.contains(&b)));
        assert_eq!(normalize_enrol_code(" abcd-efgh jkmn "), "ABCDEFGHJKMN");
    }
}
