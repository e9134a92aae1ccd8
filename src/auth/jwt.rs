//! Access tokens: HS256 JWTs with the algorithm pinned and `iss`, `aud`, `exp`,
//! `nbf` validated. Claims carry the user id, role, organization and the
//! password version, so a password reset ends every token issued before it.
//! Keys rotate by `kid`: one active key signs, the active and every listed
//! previous key verify, and a token naming an unknown `kid` is refused.

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
    /// `mfa_enrol` on a token that may only enrol a second factor (the role
    /// requires one and the user has none yet); absent on a full token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// Scope of a token that may only enrol a second factor.
pub const SCOPE_MFA_ENROL: &str = "mfa_enrol";

/// The key id of an HS256 secret: a prefix of its SHA-256, so it names the key
/// without revealing it.
pub fn key_id(secret: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(secret)[..6])
}

/// Signing and verification keys.
pub struct JwtKeys {
    kid: String,
    encoding: EncodingKey,
    decoding: Vec<(String, DecodingKey)>,
    validation: Validation,
    pub access_ttl_secs: u64,
}

impl JwtKeys {
    /// Keys from an HS256 secret.
    pub fn new(secret: &[u8], access_ttl_secs: u64) -> Self {
        Self::with_previous(secret, &[], access_ttl_secs)
    }

    /// Keys from the active HS256 secret, which signs, and retired secrets that
    /// still verify tokens issued before the rotation.
    pub fn with_previous(secret: &[u8], previous: &[&[u8]], access_ttl_secs: u64) -> Self {
        let kid = key_id(secret);
        let mut decoding = vec![(kid.clone(), DecodingKey::from_secret(secret))];
        for p in previous {
            decoding.push((key_id(p), DecodingKey::from_secret(p)));
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = 5;
        Self {
            kid,
            encoding: EncodingKey::from_secret(secret),
            decoding,
            validation,
            access_ttl_secs,
        }
    }

    /// Signs claims for a user.
    pub fn issue(&self, user: Uuid, role: &str, org: Uuid, pwv: i64) -> Result<String, String> {
        self.issue_scoped(user, role, org, pwv, None)
    }

    /// Signs claims limited to `scope` (none = a full token).
    pub fn issue_scoped(
        &self,
        user: Uuid,
        role: &str,
        org: Uuid,
        pwv: i64,
        scope: Option<&str>,
    ) -> Result<String, String> {
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
            scope: scope.map(str::to_owned),
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.kid.clone());
        encode(&header, &claims, &self.encoding).map_err(|e| format!("cannot sign token: {e}"))
    }

    /// Verifies a token; any failure is just "invalid".
    pub fn verify(&self, token: &str) -> Option<Claims> {
        let header = jsonwebtoken::decode_header(token).ok()?;
        if header.alg != Algorithm::HS256 {
            return None;
        }
        let kid = header.kid?;
        let (_, key) = self.decoding.iter().find(|(k, _)| *k == kid)?;
        decode::<Claims>(token, key, &self.validation)
            .ok()
            .map(|d| d.claims)
    }

    /// The id of the signing key.
    pub fn active_kid(&self) -> &str {
        &self.kid
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

    #[test]
    fn retired_keys_still_verify_until_removed() {
        let old = JwtKeys::new(&[1u8; 32], 60);
        let t = old
            .issue(Uuid::new_v4(), "admin", Uuid::new_v4(), 1)
            .unwrap();
        let rotated = JwtKeys::with_previous(&[2u8; 32], &[&[1u8; 32]], 60);
        assert!(rotated.verify(&t).is_some());
        let forgotten = JwtKeys::new(&[2u8; 32], 60);
        assert!(forgotten.verify(&t).is_none());
        let fresh = rotated
            .issue(Uuid::new_v4(), "admin", Uuid::new_v4(), 1)
            .unwrap();
        assert!(forgotten.verify(&fresh).is_some());
        assert!(old.verify(&fresh).is_none());
    }
}
