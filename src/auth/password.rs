//! Argon2id password hashing (OWASP parameters: 19 MiB, 2 passes, 1 lane) and the
//! password policy.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::distr::{Alphanumeric, SampleString};

/// Shortest password accepted.
pub const MIN_LEN: usize = 12;
/// Longest password accepted (bounds hashing work).
pub const MAX_LEN: usize = 128;

fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default())
}

/// Hashes a password into a PHC string.
pub fn hash(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("cannot hash password: {e}"))
}

/// Checks a password against a stored PHC string.
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| {
            argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash of a random password, verified against when a login does not exist so
/// that unknown logins take as long as wrong passwords.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash(&generate()).unwrap_or_default())
}

/// Why a new password is refused, or `None` when it is acceptable.
pub fn policy_violation(password: &str) -> Option<String> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Some(format!("must be at least {MIN_LEN} characters"));
    }
    if n > MAX_LEN {
        return Some(format!("must be at most {MAX_LEN} characters"));
    }
    if password
        .chars()
        .all(|c| c == password.chars().next().unwrap_or(c))
    {
        return Some("must not repeat a single character".into());
    }
    None
}

/// A random 20-character password for first admins and resets.
pub fn generate() -> String {
    Alphanumeric.sample_string(&mut rand::rng(), 20)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_verifies_only_the_same_password() {
        let h = hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &h));
        assert!(!verify("correct horse batterx", &h));
        assert!(!verify("anything", "not a hash"));
    }

    #[test]
    fn policy_rejects_short_and_trivial() {
        assert!(policy_violation("short").is_some());
        assert!(policy_violation("aaaaaaaaaaaaaaa").is_some());
        assert!(policy_violation("a reasonable passphrase").is_none());
    }
}
