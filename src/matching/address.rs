//! Japanese addresses as crews type them and as care managers registered them.
//!
//! A crew is dispatched to an address and reads the family name on the
//! nameplate (表札), so the address is a search key. The same place is written
//! in many ways: `北丸市港4丁目4番24号`, `港4-4-24`, `港４－４－２４`,
//! `港四丁目四番二十四号`, `〒114-1304 北海道北丸市港4-4-24 ハイツ港201号室`.
//! [`parse_address`] turns any of them into a postal code and a small set of
//! comparison forms ([`Address::forms`]): the town text with the prefecture,
//! the city, the ward or the county given or omitted, followed by the block
//! numbers in one canonical spelling (`港4-4-24`). Two addresses agree when
//! they share a form. Building names and room numbers are dropped: a crew
//! dispatched to a flat and a registration that names the building still
//! agree, and namesakes in one building are told apart by the other fields.
//!
//! Normalisation: NFKC (full-width digits and letters), no spaces, every dash
//! written `-`, kanji numerals before 丁目/番地/番/号/条/線 as digits,
//! 丁目/丁/番地/番/号/の/条 between numbers written `-` (and dropped next to
//! a letter, so `北4条東3丁目` = `北4東3`), ヶ/ケ/が/ガ and の/ノ/之 inside a
//! town name folded (霞ヶ関 = 霞が関, 竹ノ内 = 竹の内), and 大字/字 dropped.

use unicode_normalization::UnicodeNormalization;

/// The 47 prefectures; an address may start with one.
const PREFECTURES: [&str; 47] = [
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
];

/// Most block numbers kept after the town text (丁目, 番, 号; 条 addresses
/// keep theirs through the letters between them). A fourth number is a room.
const MAX_BLOCK_NUMBERS: usize = 3;

/// Most comparison forms of one address (with and without city, ward, county).
pub const MAX_FORMS: usize = 3;

/// A parsed address.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Address {
    /// Seven postal-code digits, when given.
    pub postal: Option<String>,
    /// Comparison forms, longest first (see the module documentation); empty
    /// when the text names no block number or no town.
    pub forms: Vec<String>,
}

impl Address {
    /// True when the two addresses share a comparison form.
    pub fn same_place(&self, other: &Address) -> bool {
        self.forms.iter().any(|f| other.forms.contains(f))
    }

    /// True when both have a postal code and it is the same.
    pub fn same_postal(&self, other: &Address) -> bool {
        matches!((&self.postal, &other.postal), (Some(a), Some(b)) if a == b)
    }
}

/// Seven digits of a postal code field (`090-0024`, `〒0900024`), if it is one.
pub fn postal_digits(s: &str) -> Option<String> {
    let text: String = s.nfkc().collect();
    let text = text.trim().trim_start_matches('〒').trim();
    let ok = text
        .chars()
        .all(|c| c.is_ascii_digit() || is_dash(c) || c.is_whitespace());
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    (ok && digits.len() == 7).then_some(digits)
}

/// Parses a registrant's postal code field and address line together.
pub fn registered_address(postal_code: Option<&str>, line: &str) -> Address {
    let mut address = parse_address(line);
    if let Some(p) = postal_code.and_then(postal_digits) {
        address.postal = Some(p);
    }
    address
}

/// Parses an address as typed: an optional postal code (`〒` and/or
/// `NNN-NNNN` at the start, or seven digits alone), then the address text.
pub fn parse_address(s: &str) -> Address {
    let text: String = s.nfkc().map(|c| if is_dash(c) { '-' } else { c }).collect();
    let (postal, rest) = split_postal(text.trim());
    Address {
        postal,
        forms: forms(&rest),
    }
}

/// Dash-like characters written between block numbers.
fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' | 'ー' | 'ｰ' | '－' | '﹣'
    )
}

/// Splits a leading postal code off the text.
fn split_postal(text: &str) -> (Option<String>, String) {
    let marked = text.strip_prefix('〒');
    let body = marked.unwrap_or(text).trim_start();
    let chars: Vec<char> = body.chars().collect();
    let mut digits = String::new();
    let mut end = 0;
    let mut dashed = false;
    while end < chars.len() && digits.len() < 7 {
        let c = chars[end];
        if c.is_ascii_digit() {
            digits.push(c);
        } else if c == '-' && digits.len() == 3 && !dashed {
            dashed = true;
        } else if !(c == ' ' && marked.is_some() && digits.is_empty()) {
            break;
        }
        end += 1;
    }
    let next_is_digit = chars.get(end).is_some_and(char::is_ascii_digit);
    let rest: String = chars.get(end..).unwrap_or(&[]).iter().collect();
    // Seven digits (3-4 with a hyphen or not) at the start are a postal code:
    // block numbers never start an address.
    if digits.len() == 7 && !next_is_digit {
        (Some(digits), rest)
    } else {
        (None, text.to_string())
    }
}

/// Kanji numeral value of one character.
fn kanji_digit(c: char) -> Option<u32> {
    Some(match c {
        '〇' | '零' => 0,
        '一' => 1,
        '二' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// Value of a kanji numeral run (`二十四` = 24, `一〇二` = 102, `百` = 100).
fn kanji_number(run: &[char]) -> Option<u32> {
    if run.iter().all(|c| kanji_digit(*c).is_some()) {
        return run
            .iter()
            .try_fold(0u32, |n, c| Some(n * 10 + kanji_digit(*c)?));
    }
    let mut total = 0;
    let mut current = 0;
    for c in run {
        match c {
            '十' | '百' | '千' => {
                let unit = match c {
                    '十' => 10,
                    '百' => 100,
                    _ => 1000,
                };
                total += if current == 0 { 1 } else { current } * unit;
                current = 0;
            }
            _ => current = current * 10 + kanji_digit(*c)?,
        }
    }
    Some(total + current)
}

/// True for a character of a kanji numeral.
fn is_kanji_numeral(c: char) -> bool {
    kanji_digit(c).is_some() || matches!(c, '十' | '百' | '千')
}

/// Block markers after which a kanji numeral is a number, longest first.
const MARKERS: [&str; 8] = ["丁目", "番地", "番", "号", "条", "線", "丁", "地割"];

/// Writes kanji numerals that stand before a block marker as digits
/// (`三丁目` → `3丁目`); kanji numerals in town names (三田, 八王子) stay.
fn kanji_numerals_to_digits(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if is_kanji_numeral(chars[i]) {
            let start = i;
            while i < chars.len() && is_kanji_numeral(chars[i]) {
                i += 1;
            }
            let after: String = chars[i..].iter().take(2).collect();
            let before_marker = MARKERS.iter().any(|m| after.starts_with(m));
            match kanji_number(&chars[start..i]) {
                Some(n) if before_marker => out.push_str(&n.to_string()),
                _ => out.extend(&chars[start..i]),
            }
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Town text and canonical block numbers, building and room dropped.
fn town_and_blocks(text: &str) -> Option<(String, String)> {
    let text = kanji_numerals_to_digits(text);
    let chars: Vec<char> = text.chars().collect();
    let first_digit = chars.iter().position(char::is_ascii_digit)?;
    let town: String = chars[..first_digit]
        .iter()
        .filter(|c| !c.is_whitespace())
        .collect();
    // Block part: markers become `-`, a space after the numbers starts the
    // building (`港4-15-23 ハイツ港201`), and so does a word of two or more
    // letters (`港4-15-23ハイツ港`) or 室/F/階 (a room or floor).
    let rest: String = chars[first_digit..].iter().collect();
    let mut marked = rest;
    for m in MARKERS {
        marked = marked.replace(m, "-");
    }
    let mut blocks = String::new();
    let mut numbers = 0;
    let mut letters = String::new();
    let mut in_number = false;
    for c in marked.chars() {
        if c.is_ascii_digit() {
            if !in_number {
                if numbers == MAX_BLOCK_NUMBERS {
                    break;
                }
                numbers += 1;
                in_number = true;
                if !letters.is_empty() {
                    // `北4条東3丁目1-1`: the letters start a new run of numbers.
                    blocks.push_str(&letters);
                    letters.clear();
                    numbers = 1;
                } else if !blocks.is_empty() && !blocks.ends_with('-') {
                    blocks.push('-');
                }
            }
            blocks.push(c);
            continue;
        }
        in_number = false;
        if c == '-' || c == 'の' || c == 'ノ' {
            if letters.is_empty() && !blocks.ends_with('-') {
                blocks.push('-');
            }
            continue;
        }
        if c.is_whitespace() || matches!(c, '室' | '階' | 'F' | 'f' | '(' | '（') {
            break;
        }
        letters.push(c);
        if letters.chars().count() >= 2 {
            break;
        }
    }
    // `4-東3` and `4東3` are one address: a dash next to a letter is dropped.
    let mut canonical = String::with_capacity(blocks.len());
    let bc: Vec<char> = blocks.chars().collect();
    for (i, c) in bc.iter().enumerate() {
        if *c == '-' {
            let prev_digit = i > 0 && bc[i - 1].is_ascii_digit();
            let next_digit = bc.get(i + 1).is_some_and(char::is_ascii_digit);
            if !(prev_digit && next_digit) {
                continue;
            }
        }
        canonical.push(*c);
    }
    Some((fold_town(&town), canonical))
}

/// Folds spellings of one town name: ヶ/ケ/が/ガ, の/ノ/之, 大字/字 dropped.
fn fold_town(town: &str) -> String {
    town.replace("大字", "")
        .replace('字', "")
        .chars()
        .map(|c| match c {
            'ヶ' | 'ケ' | 'が' | 'ガ' | 'ヵ' => 'ケ',
            'の' | 'ノ' | '之' => 'ノ',
            _ => c,
        })
        .collect()
}

/// Suffixes of the town text that start after a prefecture, a city (市), a
/// ward (区), a county (郡) or a town or village (町, 村) name: the ways the
/// same place is written with or without what precedes it. A marker at the
/// very start is part of the town's own name (市場町), and a suffix must keep
/// at least one character.
fn town_suffixes(town: &str) -> Vec<String> {
    let mut out = vec![town.to_string()];
    let mut rest = town;
    if let Some(p) = PREFECTURES.iter().find(|p| rest.starts_with(*p)) {
        rest = &rest[p.len()..];
        out.push(rest.to_string());
    }
    let chars: Vec<char> = rest.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if i >= 1 && matches!(c, '市' | '区' | '郡' | '町' | '村') && i + 1 < chars.len() {
            out.push(chars[i + 1..].iter().collect());
        }
    }
    out.retain(|s| !s.is_empty());
    out.dedup();
    out
}

/// The comparison forms of an address text (without its postal code).
fn forms(text: &str) -> Vec<String> {
    let Some((town, blocks)) = town_and_blocks(text) else {
        return Vec::new();
    };
    if blocks.is_empty() {
        return Vec::new();
    }
    // The shortest suffixes are the ones both sides most likely share: keep
    // the shortest MAX_FORMS.
    let mut suffixes = town_suffixes(&town);
    let keep = suffixes.len().saturating_sub(MAX_FORMS);
    suffixes.drain(..keep);
    suffixes
        .into_iter()
        .map(|t| format!("{t}{blocks}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &str, b: &str) -> bool {
        parse_address(a).same_place(&parse_address(b))
    }

    #[test]
    fn written_forms_of_one_place_agree() {
        let registered = "北丸市港4丁目4番24号";
        for typed in [
            "港4-4-24",
            "港４－４－２４",
            "港4丁目4-24",
            "港四丁目四番二十四号",
            "北丸市港4-4-24",
            "北海道北丸市港4-4-24",
            "〒114-1304 港4-4-24",
            "1141304 北丸市 港4-4-24",
            "港4ー4ー24",
            "港 4-4-24",
            "港4-4-24 ハイツ港201号室",
            "港4-4-24-201",
            "港4丁目4番24号 201",
        ] {
            assert!(
                same(registered, typed),
                "{typed}: {:?}",
                parse_address(typed)
            );
        }
    }

    #[test]
    fn other_places_do_not_agree() {
        let registered = "北丸市港4丁目4番24号";
        for typed in [
            "港4-4-2",
            "港4-4-240",
            "港4-14-24",
            "港3-4-24",
            "西浜4-4-24",
            "港町4-4-24",
            "4-4-24",
        ] {
            assert!(!same(registered, typed), "{typed}");
        }
    }

    #[test]
    fn jo_addresses_with_or_without_jo() {
        let registered = "北見市北4条東3丁目1-1";
        for typed in [
            "北4条東3丁目1番1号",
            "北4東3-1-1",
            "北見市北4条東3-1-1",
            "北四条東三丁目1-1",
        ] {
            assert!(
                same(registered, typed),
                "{typed}: {:?}",
                parse_address(typed)
            );
        }
        assert!(!same(registered, "北4条東3丁目1-2"));
        assert!(!same(registered, "北5条東3丁目1-1"));
    }

    #[test]
    fn banchi_and_aza() {
        assert!(same("北丸市大字山田123番地の4", "山田123-4"));
        assert!(same("北丸市字山田123番地", "山田123"));
        assert!(same("霞ヶ関1-2-3", "霞が関1丁目2番3号"));
        assert!(same("竹ノ内3丁目26番7号", "竹の内3-26-7"));
    }

    #[test]
    fn town_names_with_city_markers_in_them() {
        // 市 at the start of a town's own name is not a city
        assert!(same("北丸市市場町3-1", "市場町3-1"));
        // a town whose name contains 市 after its first character
        assert!(same("北丸市新市場3-1", "新市場3-1"));
        // a ward of a designated city, and a Tokyo ward
        assert!(same("横浜市中区山下町1-2", "山下町1-2"));
        assert!(same("東京都港区芝公園4-2-8", "芝公園4丁目2番8号"));
        // kanji numerals in town names stay letters
        assert!(same("三田2-1-1", "三田二丁目1番1号"));
        assert!(!same("三田2-1-1", "3田2-1-1"));
    }

    #[test]
    fn postal_codes() {
        let a = parse_address("〒114-1304 北丸市港4-4-24");
        assert_eq!(a.postal.as_deref(), Some("1141304"));
        assert_eq!(
            parse_address("〒1141304").postal.as_deref(),
            Some("1141304")
        );
        assert_eq!(parse_address("114-1304").postal.as_deref(), Some("1141304"));
        assert_eq!(
            parse_address("１１４－１３０４").postal.as_deref(),
            Some("1141304")
        );
        assert!(parse_address("114-1304").forms.is_empty());
        // block numbers are not a postal code
        assert_eq!(parse_address("港4-4-24").postal, None);
        assert_eq!(postal_digits("090-0024").as_deref(), Some("0900024"));
        assert_eq!(postal_digits("〒090 0024").as_deref(), Some("0900024"));
        assert_eq!(postal_digits("090-002"), None);
        let r = registered_address(Some("114-1304"), "北丸市港4丁目4番24号");
        assert!(r.same_postal(&parse_address("〒1141304")));
    }

    #[test]
    fn forms_are_bounded_and_need_numbers() {
        let a = parse_address("北海道北丸市中央区本町4-22-8");
        assert!(a.forms.len() <= MAX_FORMS);
        assert!(a.forms.contains(&"本町4-22-8".to_string()), "{a:?}");
        assert!(parse_address("北丸市港").forms.is_empty());
        assert!(parse_address("").forms.is_empty());
    }

    #[test]
    fn kanji_numbers() {
        assert_eq!(kanji_numerals_to_digits("二十四番"), "24番");
        assert_eq!(kanji_numerals_to_digits("一〇二号"), "102号");
        assert_eq!(kanji_numerals_to_digits("百十一番地"), "111番地");
        assert_eq!(kanji_numerals_to_digits("八王子"), "八王子");
    }
}
