//! Registry card codes such as `K7Q-4MX-9PD`.
//!
//! A code is 9 symbols of Crockford base32 (`0-9`, `A-Z` without I, L, O,
//! U), shown as three groups of three. The first 8 symbols carry 40 random
//! bits; the 9th is a check symbol, so every single-symbol typo and every
//! swap of two symbols is detected.
//!
//! Check symbol: the symbols are read as elements of GF(32) (polynomial
//! basis, modulus x⁵ + x² + 1, which is primitive) and the check is
//! `Σ αⁱ · vᵢ` for i = 1..=8, α = x. A substitution at position i changes the
//! sum by αⁱ·Δ ≠ 0; swapping positions i and j changes it by
//! (αⁱ + αʲ)·(a + b) ≠ 0 because α has order 31. (A plain weighted sum
//! mod 32 misses some transpositions, since all usable weights are odd.)

use unicode_normalization::UnicodeNormalization;

/// Crockford base32 alphabet, in value order.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Number of symbols in a canonical code (8 payload + 1 check).
pub const CARD_CODE_LEN: usize = 9;

/// GF(32) reduction polynomial x⁵ + x² + 1.
const GF_POLY: u8 = 0b10_0101;

/// Multiplication in GF(32).
fn gf_mul(mut a: u8, mut b: u8) -> u8 {
    let mut product = 0;
    for _ in 0..5 {
        if b & 1 != 0 {
            product ^= a;
        }
        b >>= 1;
        a <<= 1;
        if a & 0x20 != 0 {
            a ^= GF_POLY;
        }
    }
    product
}

/// Check value for the 8 payload values.
fn check_value(values: &[u8]) -> u8 {
    let mut weight = 2; // α
    let mut acc = 0;
    for &v in values {
        acc ^= gf_mul(weight, v);
        weight = gf_mul(weight, 2);
    }
    acc
}

/// Symbol for a value 0..32.
fn symbol(v: u8) -> char {
    ALPHABET
        .get(usize::from(v & 31))
        .map_or('0', |&b| char::from(b))
}

/// Value of a canonical (already upper-cased and mapped) symbol.
fn value(c: char) -> Option<u8> {
    let pos = ALPHABET.iter().position(|&b| char::from(b) == c)?;
    u8::try_from(pos).ok()
}

/// Characters ignored inside a typed code: hyphens, dashes, the katakana
/// long-vowel mark (often typed for a hyphen by Japanese IMEs), underscores
/// and whitespace.
fn is_filler(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '‐' | '‑' | '–' | '—' | '―' | '−' | 'ー' | '_')
}

/// Normalizes a typed card code to its 9-symbol canonical form.
///
/// NFKC (full-width letters and digits), upper case, fillers dropped
/// ([`is_filler`]), then Crockford's look-alike mapping O→0, I→1, L→1,
/// U→V. Returns `None` unless exactly 9 valid symbols remain and the check
/// symbol agrees.
pub fn normalize_card_code(s: &str) -> Option<String> {
    let mut values = Vec::with_capacity(CARD_CODE_LEN);
    for c in s.nfkc().flat_map(char::to_uppercase) {
        if is_filler(c) {
            continue;
        }
        let c = match c {
            'O' => '0',
            'I' | 'L' => '1',
            'U' => 'V',
            other => other,
        };
        values.push(value(c)?);
        if values.len() > CARD_CODE_LEN {
            return None;
        }
    }
    let (check, payload) = values.split_last()?;
    if values.len() != CARD_CODE_LEN || check_value(payload) != *check {
        return None;
    }
    Some(values.iter().map(|&v| symbol(v)).collect())
}

/// Formats a card code for display as `XXX-XXX-XXX`.
///
/// The input is normalized first; text that is not a valid code is
/// returned unchanged.
pub fn format_card_code(code: &str) -> String {
    match normalize_card_code(code) {
        Some(canonical) => {
            let chars: Vec<char> = canonical.chars().collect();
            chars
                .chunks(3)
                .map(|group| group.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join("-")
        }
        None => code.to_string(),
    }
}

/// Builds a new card code (canonical 9-symbol form, no hyphens) from
/// caller-supplied random bytes.
///
/// The low 40 bits of the little-endian integer give the 8 payload symbols;
/// the 9th symbol is the check symbol.
pub fn generate_card_code(rng_bytes: [u8; 8]) -> String {
    let bits = u64::from_le_bytes(rng_bytes);
    let payload: Vec<u8> = (0..8)
        .map(|i| u8::try_from((bits >> (5 * i)) & 31).unwrap_or(0))
        .collect();
    let check = check_value(&payload);
    payload
        .iter()
        .chain(std::iter::once(&check))
        .map(|&v| symbol(v))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> String {
        generate_card_code([0x12, 0x34, 0x56, 0x78, 0x9a, 0, 0, 0])
    }

    #[test]
    fn generated_codes_are_valid() {
        for seed in 0u64..500 {
            let bytes = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).to_le_bytes();
            let code = generate_card_code(bytes);
            assert_eq!(code.len(), 9);
            assert_eq!(normalize_card_code(&code).as_deref(), Some(code.as_str()));
        }
    }

    #[test]
    fn format_and_lenient_input() {
        let code = sample();
        let shown = format_card_code(&code);
        assert_eq!(shown.len(), 11);
        assert_eq!(shown.matches('-').count(), 2);
        assert_eq!(normalize_card_code(&shown).as_deref(), Some(code.as_str()));
        assert_eq!(
            normalize_card_code(&shown.to_lowercase()).as_deref(),
            Some(code.as_str())
        );
        let spaced = shown.replace('-', " ");
        assert_eq!(normalize_card_code(&spaced).as_deref(), Some(code.as_str()));
        let fullwidth: String = shown
            .chars()
            .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap())
            .collect();
        assert_eq!(
            normalize_card_code(&fullwidth).as_deref(),
            Some(code.as_str())
        );
        assert_eq!(
            normalize_card_code(&shown.replace('-', "ー")).as_deref(),
            Some(code.as_str())
        );
        assert_eq!(format_card_code("not a code"), "not a code");
    }

    #[test]
    fn look_alike_letters() {
        // find a valid code containing 0 and 1 and V, then type them as O, I/L, U
        let mut found = 0;
        for seed in 0u64..5000 {
            let code = generate_card_code(seed.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
            if code.contains('0') || code.contains('1') || code.contains('V') {
                let typed = code.replace('0', "O").replace('1', "l").replace('V', "u");
                assert_eq!(
                    normalize_card_code(&typed).as_deref(),
                    Some(code.as_str()),
                    "{typed}"
                );
                let typed_i = code.replace('1', "I").to_lowercase();
                assert_eq!(
                    normalize_card_code(&typed_i).as_deref(),
                    Some(code.as_str())
                );
                found += 1;
            }
        }
        assert!(found > 100);
    }

    #[test]
    fn wrong_check_symbol_and_typos_rejected() {
        let code = sample();
        let chars: Vec<char> = code.chars().collect();
        for pos in 0..9 {
            for &b in ALPHABET.iter() {
                let c = char::from(b);
                if c == chars[pos] {
                    continue;
                }
                let mut typo = chars.clone();
                typo[pos] = c;
                let typo: String = typo.into_iter().collect();
                assert_eq!(normalize_card_code(&typo), None, "{typo}");
            }
        }
        for i in 0..9 {
            for j in i + 1..9 {
                if chars[i] == chars[j] {
                    continue;
                }
                let mut swapped = chars.clone();
                swapped.swap(i, j);
                let swapped: String = swapped.into_iter().collect();
                assert_eq!(normalize_card_code(&swapped), None, "{swapped}");
            }
        }
    }

    #[test]
    fn malformed_rejected() {
        let code = sample();
        assert_eq!(normalize_card_code(&code[..8]), None);
        assert_eq!(normalize_card_code(&format!("{code}0")), None);
        assert_eq!(normalize_card_code(""), None);
        assert_eq!(normalize_card_code("K7Q-4MX-9P*"), None);
    }
}
