//! Card codes printed on the card kept at home: 9 Crockford base-32 symbols shown
//! as `XXX-XXX-XXX`, the last a check symbol over the first eight.

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

fn check_symbol(symbols: &[u8]) -> u8 {
    let sum: usize = symbols
        .iter()
        .enumerate()
        .map(|(i, s)| (i + 1) * ALPHABET.iter().position(|a| a == s).unwrap_or(0))
        .sum();
    ALPHABET[sum % 32]
}

/// A new code from 8 random bytes (the caller supplies randomness).
pub fn generate_card_code(rng_bytes: [u8; 8]) -> String {
    let mut symbols: Vec<u8> = rng_bytes
        .iter()
        .map(|b| ALPHABET[usize::from(b % 32)])
        .collect();
    symbols.push(check_symbol(&symbols));
    format_card_code(&String::from_utf8_lossy(&symbols))
}

/// `XXXXXXXXX` as `XXX-XXX-XXX`.
pub fn format_card_code(canonical: &str) -> String {
    let c: Vec<char> = canonical.chars().collect();
    c.chunks(3)
        .map(|g| g.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}
