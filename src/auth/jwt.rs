//! Access tokens: HS256 JWTs with the algorithm pinned and `iss`, `aud`, `exp`,
//! `nbf` validated. Claims carry the user id, role, organization and the
//! password version, so a password reset ends every token issued before it.

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Issuer of every token.
pub const ISSUER: &str = "eir";
/// Audience of access tokens (refresh tokens are opaque and never JWTs).
pub const AUDIENCE: &str = "eir-api";

/// What an access token says.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// User id.
    pub sub: Uuid,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: Uuid,
    pub role: String,
    pub org: Uuid,
    /// Password version: microseconds of the last password change.
    pub pwv: i64,
}

/// Signing and verification keys.
pub struct JwtKeys {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub access_ttl_secs: u64,
}

impl JwtKeys {
    /// Keys from an HS256 secret.
    pub fn new(secret: &[u8], access_ttl_secs: u64) -> Self {
        use sha2::{Digest, Sha256};
        let kid = hex::encode(&Sha256::digest(secret)[..6]);
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = 5;
        Self {
            kid,
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            access_ttl_secs,
        }
    }

    /// Signs claims for a user.
    pub fn issue(&self, user: Uuid, role: &str, org: Uuid, pwv: i64) -> Result<String, String> {
        let now = chrono::Utc::now().timestamp();
        let ttl = i64::try_from(self.access_ttl_secs).unwrap_or(900);
        let claims = Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: user,
            iat: now,
            nbf: now,
            exp: now + ttl,
            jti: Uuid::new_v4(),
            role: role.into(),
            org,
            pwv,
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.kid.clone());
        encode(&header, &claims, &self.encoding).map_err(|e| format!("cannot sign token: {e}"))
    }

    /// Verifies a token; any failure is just "invalid".
    pub fn verify(&self, token: &str) -> Option<Claims> {
        decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|d| d.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_token_verifies_and_other_keys_do_not() {
        let keys = JwtKeys::new(&[7u8; 32], 60);
        let user = Uuid::new_v4();
        let t = keys.issue(user, "admin", Uuid::new_v4(), 1).unwrap();
        assert_eq!(keys.verify(&t).unwrap().sub, user);
        let other = JwtKeys::new(&[8u8; 32], 60);
        assert!(other.verify(&t).is_none());
        assert!(keys.verify("not.a.token").is_none());
    }
}
