//! Kanji variant folding for personal names.
//!
//! Registrants' names are often recorded with old or variant kanji (髙橋,
//! 山﨑, 齋藤, 渡邊) while crews type the common form, or the other way round.
//! [`fold_variants`] maps known variants to one standard form and
//! [`name_key`] builds the comparison key used for kanji names.

use unicode_normalization::UnicodeNormalization;

/// Variant → standard kanji pairs, sorted by the variant's code point so
/// that lookups can binary-search. No standard form appears as a variant
/// (no chains), which a unit test checks.
///
/// NFKC runs before this table. NFKC already folds the CJK *compatibility*
/// ideographs that have canonical decompositions (e.g. U+FA10 塚 → 塚), but
/// not the twelve unified ideographs that live in that block, such as
/// U+FA11 﨑, which is therefore listed explicitly.
const VARIANTS: &[(char, char)] = &[
    ('乘', '乗'),
    ('亙', '亘'),
    ('亞', '亜'),
    ('佛', '仏'),
    ('來', '来'),
    ('傳', '伝'),
    ('兒', '児'),
    ('冨', '富'),
    ('冲', '沖'),
    ('凉', '涼'),
    ('凜', '凛'),
    ('劍', '剣'),
    ('勞', '労'),
    ('勳', '勲'),
    ('卷', '巻'),
    ('國', '国'),
    ('圓', '円'),
    ('圖', '図'),
    ('團', '団'),
    ('埜', '野'),
    ('堯', '尭'),
    ('增', '増'),
    ('壯', '壮'),
    ('壽', '寿'),
    ('夛', '多'),
    ('奧', '奥'),
    ('學', '学'),
    ('實', '実'),
    ('將', '将'),
    ('峯', '峰'),
    ('峽', '峡'),
    ('崗', '岡'),
    ('嵜', '崎'),
    ('嶋', '島'),
    ('嶌', '島'),
    ('嶽', '岳'),
    ('巖', '巌'),
    ('巢', '巣'),
    ('廣', '広'),
    ('廸', '迪'),
    ('彌', '弥'),
    ('彥', '彦'),
    ('德', '徳'),
    ('恆', '恒'),
    ('惠', '恵'),
    ('戶', '戸'),
    ('搖', '揺'),
    ('收', '収'),
    ('敎', '教'),
    ('斉', '斎'),
    ('晄', '晃'),
    ('晉', '晋'),
    ('曉', '暁'),
    ('曻', '昇'),
    ('會', '会'),
    ('栁', '柳'),
    ('桒', '桑'),
    ('桺', '柳'),
    ('條', '条'),
    ('榮', '栄'),
    ('槇', '槙'),
    ('樂', '楽'),
    ('檜', '桧'),
    ('檢', '検'),
    ('櫻', '桜'),
    ('步', '歩'),
    ('歸', '帰'),
    ('每', '毎'),
    ('氣', '気'),
    ('淨', '浄'),
    ('淵', '渕'),
    ('淸', '清'),
    ('淺', '浅'),
    ('渊', '渕'),
    ('溫', '温'),
    ('滿', '満'),
    ('澀', '渋'),
    ('澁', '渋'),
    ('澤', '沢'),
    ('濟', '済'),
    ('濤', '涛'),
    ('濱', '浜'),
    ('濵', '浜'),
    ('瀧', '滝'),
    ('瀨', '瀬'),
    ('燈', '灯'),
    ('燒', '焼'),
    ('營', '営'),
    ('爲', '為'),
    ('狹', '狭'),
    ('獨', '独'),
    ('瑤', '瑶'),
    ('當', '当'),
    ('發', '発'),
    ('盜', '盗'),
    ('眞', '真'),
    ('硏', '研'),
    ('碎', '砕'),
    ('碕', '崎'),
    ('礪', '砺'),
    ('祿', '禄'),
    ('禪', '禅'),
    ('禮', '礼'),
    ('禰', '祢'),
    ('稱', '称'),
    ('稻', '稲'),
    ('穗', '穂'),
    ('穰', '穣'),
    ('籠', '篭'),
    ('粹', '粋'),
    ('絲', '糸'),
    ('經', '経'),
    ('綠', '緑'),
    ('緖', '緒'),
    ('縣', '県'),
    ('總', '総'),
    ('繪', '絵'),
    ('繼', '継'),
    ('纖', '繊'),
    ('聰', '聡'),
    ('聽', '聴'),
    ('肅', '粛'),
    ('與', '与'),
    ('舍', '舎'),
    ('舘', '館'),
    ('莊', '荘'),
    ('莖', '茎'),
    ('萬', '万'),
    ('薰', '薫'),
    ('藏', '蔵'),
    ('藝', '芸'),
    ('藥', '薬'),
    ('藪', '薮'),
    ('蘆', '芦'),
    ('處', '処'),
    ('螢', '蛍'),
    ('蟲', '虫'),
    ('蠟', '蝋'),
    ('衞', '衛'),
    ('裝', '装'),
    ('覺', '覚'),
    ('觀', '観'),
    ('謠', '謡'),
    ('譽', '誉'),
    ('讀', '読'),
    ('變', '変'),
    ('讓', '譲'),
    ('豐', '豊'),
    ('豫', '予'),
    ('貳', '弐'),
    ('賣', '売'),
    ('轉', '転'),
    ('辨', '弁'),
    ('辯', '弁'),
    ('遙', '遥'),
    ('邉', '辺'),
    ('邊', '辺'),
    ('邨', '村'),
    ('醉', '酔'),
    ('醫', '医'),
    ('釋', '釈'),
    ('錢', '銭'),
    ('鍊', '錬'),
    ('鎭', '鎮'),
    ('鐵', '鉄'),
    ('鑛', '鉱'),
    ('關', '関'),
    ('陷', '陥'),
    ('隨', '随'),
    ('險', '険'),
    ('隱', '隠'),
    ('雙', '双'),
    ('雜', '雑'),
    ('雞', '鶏'),
    ('靈', '霊'),
    ('靑', '青'),
    ('靜', '静'),
    ('顏', '顔'),
    ('顯', '顕'),
    ('飮', '飲'),
    ('驒', '騨'),
    ('驗', '験'),
    ('驛', '駅'),
    ('髓', '髄'),
    ('髙', '高'),
    ('髮', '髪'),
    ('鷄', '鶏'),
    ('鷗', '鴎'),
    ('鹽', '塩'),
    ('黃', '黄'),
    ('黑', '黒'),
    ('黨', '党'),
    ('齊', '斎'),
    ('齋', '斎'),
    ('齒', '歯'),
    ('齡', '齢'),
    ('龍', '竜'),
    ('龜', '亀'),
    ('﨑', '崎'),
    ('𠮷', '吉'),
];

/// Maps one character through the variant table.
fn fold_char(c: char) -> char {
    match VARIANTS.binary_search_by_key(&c, |&(v, _)| v) {
        Ok(i) => VARIANTS.get(i).map_or(c, |&(_, s)| s),
        Err(_) => c,
    }
}

/// Replaces variant or old-form kanji with their standard form.
///
/// Applies NFKC first (compatibility ideographs, full-width forms), then the
/// variant table (about 200 pairs common in personal names: 髙→高,
/// 﨑/嵜/碕→崎, 齋/齊/斉→斎, 邊/邉→辺, 濵/濱→浜, 澤→沢, 𠮷→吉 …).
/// Characters not in the table are kept as they are.
pub fn fold_variants(s: &str) -> String {
    s.nfkc().map(fold_char).collect()
}

/// Comparison key for a name written in kanji, kana or a mix of both.
///
/// [`super::kana::normalize_text`] (NFKC, no whitespace or middle dots,
/// hiragana → katakana; kanji are left alone), then variant folding, then
/// the iteration mark 々 is replaced by the character before it
/// (佐々木 = 佐佐木). So "佐藤 はな" → "佐藤ハナ" and "髙橋" → "高橋".
pub fn name_key(s: &str) -> String {
    let normalized = super::kana::normalize_text(s);
    let mut out = String::with_capacity(normalized.len());
    let mut prev: Option<char> = None;
    for c in normalized.chars() {
        let folded = match (c, prev) {
            ('々', Some(p)) => p,
            _ => fold_char(c),
        };
        out.push(folded);
        prev = Some(folded);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_unique_and_chain_free() {
        assert!(VARIANTS.len() >= 80);
        for w in VARIANTS.windows(2) {
            assert!(w[0].0 < w[1].0, "not sorted/unique at {:?}", w);
        }
        for &(v, s) in VARIANTS {
            assert_ne!(v, s);
            assert!(
                VARIANTS.binary_search_by_key(&s, |&(x, _)| x).is_err(),
                "chain {v}→{s}"
            );
            // the standard form must survive NFKC unchanged
            assert_eq!(s.to_string().nfkc().collect::<String>(), s.to_string());
        }
    }

    #[test]
    fn common_surname_variants() {
        assert_eq!(fold_variants("髙橋"), "高橋");
        assert_eq!(fold_variants("山﨑"), "山崎");
        assert_eq!(fold_variants("山嵜"), "山崎");
        assert_eq!(fold_variants("齋藤"), "斎藤");
        assert_eq!(fold_variants("齊藤"), "斎藤");
        assert_eq!(fold_variants("斉藤"), "斎藤");
        assert_eq!(fold_variants("渡邊"), "渡辺");
        assert_eq!(fold_variants("渡邉"), "渡辺");
        assert_eq!(fold_variants("濵田"), "浜田");
        assert_eq!(fold_variants("濱田"), "浜田");
        assert_eq!(fold_variants("𠮷田"), "吉田");
        assert_eq!(fold_variants("澤田"), "沢田");
        assert_eq!(fold_variants("廣瀨"), "広瀬");
        assert_eq!(fold_variants("冨田"), "富田");
        assert_eq!(fold_variants("小嶋"), "小島");
        assert_eq!(fold_variants("戶田"), "戸田");
    }

    #[test]
    fn compatibility_ideographs_via_nfkc() {
        // U+FA10 (compatibility 塚) is folded by NFKC itself.
        assert_eq!(fold_variants("\u{FA10}本"), "塚本");
    }

    #[test]
    fn unrelated_text_unchanged() {
        assert_eq!(fold_variants("佐藤花子"), "佐藤花子");
        assert_eq!(fold_variants("abc"), "abc");
    }

    #[test]
    fn name_key_mixed_and_spacing() {
        assert_eq!(name_key("佐藤 花子"), name_key("佐藤花子"));
        assert_eq!(name_key("佐藤　はな"), "佐藤ハナ");
        assert_eq!(name_key("髙橋 惠"), name_key("高橋恵"));
        assert_eq!(name_key("佐々木"), name_key("佐佐木"));
        assert_eq!(name_key("ｻﾄｳ"), "サトウ");
    }
}
