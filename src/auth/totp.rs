//! Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP, HMAC-SHA1, 30 s
//! steps, 6 digits — what authenticator apps expect), base32 secrets, otpauth
//! URIs and recovery codes.

use aws_lc_rs::hmac;
use rand::RngCore;

/// Seconds per TOTP step.
pub const STEP_SECS: i64 = 30;
/// Digits of a code.
pub const DIGITS: u32 = 6;
/// Steps accepted either side of now (clock drift).
pub const SKEW_STEPS: i64 = 1;
/// Recovery codes issued at enrolment.
pub const RECOVERY_CODES: usize = 10;

/// RFC 4226 HOTP value for `counter`, `digits` long, zero-padded.
pub fn hotp(key: &[u8], counter: u64, digits: u32) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, key);
    let tag = hmac::sign(&key, &counter.to_be_bytes());
    let mac = tag.as_ref();
    let offset = usize::from(mac[mac.len() - 1] & 0x0f);
    let bin = (u32::from(mac[offset] & 0x7f) << 24)
        | (u32::from(mac[offset + 1]) << 16)
        | (u32::from(mac[offset + 2]) << 8)
        | u32::from(mac[offset + 3]);
    let modulus = 10u32.pow(digits);
    format!("{:0width$}", bin % modulus, width = digits as usize)
}

/// The TOTP step of a Unix time.
pub fn step_at(unix_secs: i64) -> i64 {
    unix_secs.div_euclid(STEP_SECS)
}

/// RFC 6238 TOTP value at `unix_secs`.
pub fn totp(key: &[u8], unix_secs: i64, digits: u32) -> String {
    hotp(key, u64::try_from(step_at(unix_secs)).unwrap_or(0), digits)
}

/// The step `code` is valid for, within the drift window around `now` and after
/// `last_step` (a code is accepted once: replaying it fails).
pub fn verify(key: &[u8], code: &str, now: i64, last_step: i64) -> Option<i64> {
    let code = code.trim();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = step_at(now);
    (current - SKEW_STEPS..=current + SKEW_STEPS)
        .filter(|s| *s > last_step && *s >= 0)
        .find(|s| {
            let expected = hotp(key, u64::try_from(*s).unwrap_or(0), DIGITS);
            constant_time_eq(expected.as_bytes(), code.as_bytes())
        })
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding (the form otpauth URIs use).
pub fn base32_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(5) * 8);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &byte in data {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(BASE32[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// Decodes base32 (case-insensitive, padding and spaces ignored).
pub fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 5 / 8);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for c in s.bytes().filter(|c| *c != b'=' && *c != b' ') {
        let v = BASE32.iter().position(|x| *x == c.to_ascii_uppercase())?;
        buffer = (buffer << 5) | u32::try_from(v).ok()?;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buffer >> bits) & 0xff).ok()?);
        }
    }
    Some(out)
}

/// A new random 160-bit secret, base32.
pub fn new_secret() -> String {
    let mut raw = [0u8; 20];
    rand::rng().fill_bytes(&mut raw);
    base32_encode(&raw)
}

/// The `otpauth://` URI an authenticator app scans.
pub fn otpauth_uri(secret: &str, login: &str) -> String {
    let label: String =
        form_urlencoded::byte_serialize(format!("eir:{login}").as_bytes()).collect();
    format!(
        "otpauth://totp/{label}?secret={secret}&issuer=eir&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}"
    )
}

/// New recovery codes like `k7q4-mx9p-dz2a` (60 bits each).
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let chars: Vec<char> = (0..12)
                .map(|_| {
                    let i = (rng.next_u32() as usize) % ALPHABET.len();
                    char::from(ALPHABET[i])
                })
                .collect();
            let s: String = chars.iter().collect();
            format!("{}-{}-{}", &s[0..4], &s[4..8], &s[8..12])
        })
        .collect()
}

/// Canonical form of a typed recovery code (case and dashes ignored), hashed.
pub fn hash_recovery_code(code: &str) -> String {
    use sha2::{Digest, Sha256};
    let canonical: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    hex::encode(Sha256::digest(
        format!("eir-recovery:{canonical}").as_bytes(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 column (8 digits).
    #[test]
    fn rfc6238_test_vectors() {
        let key = b"12345678901234567890";
        for (t, want) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(totp(key, t, 8), want, "T = {t}");
        }
    }

    /// RFC 4226 appendix D.
    #[test]
    fn rfc4226_test_vectors() {
        let key = b"12345678901234567890";
        let want = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489",
        ];
        for (i, w) in want.iter().enumerate() {
            assert_eq!(hotp(key, i as u64, 6), *w);
        }
    }

    #[test]
    fn base32_round_trips_and_matches_rfc4648() {
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_decode("MZXW6YTBOI======").unwrap(), b"foobar");
        assert_eq!(base32_decode("mzxw6ytboi").unwrap(), b"foobar");
        let s = new_secret();
        assert_eq!(base32_decode(&s).unwrap().len(), 20);
        assert!(base32_decode("not base32!").is_none());
    }

    #[test]
    fn codes_verify_within_the_window_once() {
        let key = b"12345678901234567890";
        let now = 1_700_000_000;
        let code = totp(key, now, 6);
        let step = verify(key, &code, now, 0).unwrap();
        assert_eq!(step, step_at(now));
        assert!(verify(key, &code, now, step).is_none(), "replay refused");
        assert!(
            verify(key, &code, now + 31, 0).is_some(),
            "one step of drift"
        );
        assert!(verify(key, &code, now + 95, 0).is_none(), "too old");
        assert!(verify(key, "12345", now, 0).is_none());
        assert!(verify(key, "abcdef", now, 0).is_none());
    }

    #[test]
    fn recovery_codes_are_distinct_and_hash_canonically() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let set: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(set.len(), RECOVERY_CODES);
        assert_eq!(
            hash_recovery_code("abcd-efgh-jkmn"),
            hash_recovery_code("ABCDEFGH JKMN")
        );
    }
}
