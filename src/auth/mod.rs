//! Authentication: password hashing, JWT access tokens, refresh tokens and the
//! request extractor that yields the caller with role and organization.

pub mod extractor;
pub mod jwt;
pub mod password;
pub mod totp;

pub use extractor::AuthUser;
