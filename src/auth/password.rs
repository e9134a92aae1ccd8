//! Argon2id password hashing (OWASP parameters: 19 MiB, 2 passes, 1 lane) and the
//! password policy.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::distr::{Alphanumeric, SampleString};
use std::sync::{mpsc, Arc, Mutex, OnceLock, PoisonError};

/// Shortest password accepted.
pub const MIN_LEN: usize = 12;
/// Longest password accepted (bounds hashing work).
pub const MAX_LEN: usize = 128;

fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default())
}

/// Threads that compute hashes; each keeps its own 19 MiB of Argon2 memory.
/// Allocating and freeing that much for every hash made glibc raise its
/// threshold for returning memory to the system, after which freed memory
/// stayed with every worker thread (a busy server held several hundred MiB,
/// measured with examples/bench_search). Two threads bound it to 38 MiB, and a
/// burst of logins waits its turn.
const HASHERS: usize = 2;

type HashJob = Box<dyn FnOnce(&mut Vec<Block>) + Send>;

/// Runs `f` with a hashing thread's memory and waits for its result.
fn on_hasher<T: Send + 'static>(
    f: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
) -> Option<T> {
    static QUEUE: OnceLock<mpsc::Sender<HashJob>> = OnceLock::new();
    let queue = QUEUE.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<HashJob>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..HASHERS {
            let rx = Arc::clone(&rx);
            let spawned = std::thread::Builder::new()
                .name(format!("eir-hasher-{i}"))
                .spawn(move || {
                    let mut memory: Vec<Block> = Vec::new();
                    loop {
                        let next = rx.lock().unwrap_or_else(PoisonError::into_inner).recv();
                        match next {
                            Ok(job) => job(&mut memory),
                            Err(_) => return,
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a password hashing thread");
            }
        }
        tx
    });
    let (done, wait) = mpsc::channel();
    let job: HashJob = Box::new(move |memory| {
        let _ = done.send(f(memory));
    });
    queue.send(job).ok()?;
    wait.recv().ok()
}

/// Argon2 of `password` with `salt` into `out`, in `memory` (grown to fit once).
fn argon2_into(
    argon: &Argon2<'_>,
    params: &Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
    memory: &mut Vec<Block>,
) -> Result<(), argon2::Error> {
    let blocks = params.block_count();
    if memory.len() < blocks {
        memory.resize(blocks, Block::new());
    }
    argon.hash_password_into_with_memory(password, salt, out, &mut memory[..blocks])
}

/// Hashes a password into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
pub fn hash(password: &str) -> Result<String, String> {
    let password = password.to_owned();
    on_hasher(move |memory| {
        let failed = |e: &dyn std::fmt::Display| format!("cannot hash password: {e}");
        let salt = SaltString::generate(&mut OsRng);
        let mut salt_buf = [0u8; 64];
        let salt_bytes = salt.decode_b64(&mut salt_buf).map_err(|e| failed(&e))?;
        let params = Params::default();
        let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
        argon2_into(
            &argon2(),
            &params,
            password.as_bytes(),
            salt_bytes,
            &mut out,
            memory,
        )
        .map_err(|e| failed(&e))?;
        let phc = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&params).map_err(|e| failed(&e))?,
            salt: Some(salt.as_salt()),
            hash: Some(Output::new(&out).map_err(|e| failed(&e))?),
        };
        Ok(phc.to_string())
    })
    .unwrap_or_else(|| Err("password hashing threads stopped".into()))
}

/// Checks a password against a stored PHC string (with the parameters it names).
pub fn verify(password: &str, stored: &str) -> bool {
    let (password, stored) = (password.to_owned(), stored.to_owned());
    on_hasher(move |memory| {
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        let (Ok(algorithm), Ok(params), Some(salt), Some(expected)) = (
            Algorithm::try_from(parsed.algorithm),
            Params::try_from(&parsed),
            parsed.salt,
            parsed.hash,
        ) else {
            return false;
        };
        let version = match parsed.version.map(Version::try_from) {
            None => Version::default(),
            Some(Ok(v)) => v,
            Some(Err(_)) => return false,
        };
        let mut salt_buf = [0u8; 64];
        let Ok(salt_bytes) = salt.decode_b64(&mut salt_buf) else {
            return false;
        };
        let mut out = vec![0u8; expected.len()];
        let argon = Argon2::new(algorithm, version, params.clone());
        if argon2_into(
            &argon,
            &params,
            password.as_bytes(),
            salt_bytes,
            &mut out,
            memory,
        )
        .is_err()
        {
            return false;
        }
        // `Output` compares in constant time.
        Output::new(&out).is_ok_and(|got| got == expected)
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
    fn hashes_are_standard_phc_strings_both_ways() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        // Ours verifies with the argon2 crate's own verifier…
        let ours = hash("correct horse battery").unwrap();
        assert!(ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(argon2()
            .verify_password(b"correct horse battery", &parsed)
            .is_ok());
        // …and a hash made by the crate, with other parameters, verifies with ours.
        let params = Params::new(8192, 3, 1, None).unwrap();
        let other = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(b"another passphrase", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        assert!(verify("another passphrase", &other));
        assert!(!verify("another passphrasf", &other));
    }

    #[test]
    fn policy_rejects_short_and_trivial() {
        assert!(policy_violation("short").is_some());
        assert!(policy_violation("aaaaaaaaaaaaaaa").is_some());
        assert!(policy_violation("a reasonable passphrase").is_none());
    }
}
