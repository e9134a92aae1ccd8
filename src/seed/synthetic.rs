//! Deterministic synthetic elderly population for eir demos and benchmarks.
//!
//! [`Generator`] produces registrants shaped like eir's registrant JSON —
//! names with katakana readings, birth dates, a 北見市-style address in a
//! caller-weighted district, phones, family doctors, emergency contacts,
//! medical details and consent — plus optional care decisions (ACP records).
//!
//! Everything is drawn from realistic, Zipf-like weighted tables (≈ 420
//! surnames including variant kanji such as 髙橋 and 﨑, ≈ 180 female and
//! ≈ 210 male given names tied to birth era), so namesakes and even people
//! sharing name and birth date occur, as they do in a real city.
//!
//! Person `index` depends only on the generator's seed, `today`, the district
//! list and `index` (a ChaCha RNG is keyed per index), so a loader can
//! generate disjoint index ranges in parallel, in any order.

use std::collections::HashSet;
use std::fmt::Write as _;

use chrono::{Datelike, Days, Months, NaiveDate};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Serialize, Serializer};

type Rng8 = ChaCha8Rng;

/// Values of [`SyntheticPerson::sex`].
pub const SEXES: [&str; 4] = ["male", "female", "other", "unknown"];
/// Values of [`SyntheticPerson::living_situation`].
pub const LIVING_SITUATIONS: [&str; 5] =
    ["alone", "with_spouse", "with_family", "facility", "other"];
/// Values of [`SyntheticPerson::care_level`], from no certification to 要介護5.
pub const CARE_LEVELS: [&str; 8] = [
    "none",
    "support_1",
    "support_2",
    "care_1",
    "care_2",
    "care_3",
    "care_4",
    "care_5",
];
/// Values of [`SyntheticMedical::devices_and_procedures`].
pub const DEVICES_AND_PROCEDURES: [&str; 12] = [
    "pacemaker",
    "icd",
    "home_oxygen",
    "tube_feeding",
    "suction",
    "dialysis",
    "insulin",
    "urinary_catheter",
    "tracheostomy",
    "ventilator",
    "stoma",
    "other",
];
/// Values of [`SyntheticConsent::by`].
pub const CONSENT_BY: [&str; 2] = ["self", "proxy"];
/// Values of [`SyntheticDecision::kind`].
pub const DECISION_KINDS: [&str; 3] = ["new", "revised", "reconfirmed"];
/// Values of [`SyntheticDecision::participants`].
pub const PARTICIPANTS: [&str; 6] = [
    "self",
    "family",
    "family_doctor",
    "care_manager",
    "visiting_nurse",
    "other",
];
/// Values of the treatment wishes (`cpr`, `intubation`, …) of [`SyntheticDecision`].
pub const WISHES: [&str; 3] = ["wanted", "not_wanted", "undecided"];
/// Values of the preferred places of care and of death of [`SyntheticDecision`].
pub const PLACES: [&str; 4] = ["home", "facility", "hospital", "undecided"];

/// Youngest generated age (inclusive) on `today`.
pub const MIN_AGE: u32 = 65;
/// Oldest generated age (inclusive) on `today`.
pub const MAX_AGE: u32 = 105;

fn serialize_date<S: Serializer>(date: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(date)
}

fn serialize_opt_date<S: Serializer>(
    date: &Option<NaiveDate>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match date {
        Some(date) => serializer.collect_str(date),
        None => serializer.serialize_none(),
    }
}

/// Postal address of a registrant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyntheticAddress {
    /// `NNN-NNNN`.
    pub postal_code: String,
    /// Full address line starting with the city, e.g. `北見市北4条東3丁目1-1`.
    pub line: String,
    /// District code chosen from the generator's weighted district list.
    pub district_code: String,
}

/// A family doctor (かかりつけ医).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyntheticFamilyDoctor {
    /// Clinic or hospital name.
    pub institution: String,
    /// Doctor's name, `family given` with one space.
    pub doctor: String,
    /// Department (診療科).
    pub department: String,
    /// Institution phone.
    pub phone: String,
}

/// An emergency contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyntheticEmergencyContact {
    /// 1 = call first.
    pub priority: u8,
    /// `family given` in kanji with one space.
    pub name: String,
    /// `family given` in full-width katakana with one space.
    pub kana: String,
    /// Relationship to the registrant (長男, 妻, 姪, 近所の方, …).
    pub relationship: String,
    /// One or more phone numbers.
    pub phones: Vec<String>,
    /// Free-text notes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// Medical information.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyntheticMedical {
    /// Diagnoses (病名).
    pub conditions: Vec<String>,
    /// Medications with dose and schedule.
    pub medications: Vec<String>,
    /// Allergies.
    pub allergies: Vec<String>,
    /// Values from [`DEVICES_AND_PROCEDURES`].
    pub devices_and_procedures: Vec<String>,
    /// Free-text notes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// Registration consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyntheticConsent {
    /// Date consent was obtained.
    #[serde(serialize_with = "serialize_date")]
    pub obtained_on: NaiveDate,
    /// A value from [`CONSENT_BY`].
    pub by: String,
    /// Proxy's name when `by == "proxy"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy_name: Option<String>,
    /// Proxy's relationship when `by == "proxy"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy_relationship: Option<String>,
}

/// One synthetic registrant, mirroring eir's registrant JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyntheticPerson {
    /// Family name in kanji (sometimes a variant form such as 髙橋).
    pub family_name: String,
    /// Given name in kanji, hiragana or katakana.
    pub given_name: String,
    /// Family name reading, full-width katakana without spaces.
    pub family_name_kana: String,
    /// Given name reading, full-width katakana without spaces.
    pub given_name_kana: String,
    /// Birth date; serialized as `YYYY-MM-DD`.
    #[serde(serialize_with = "serialize_date")]
    pub birth_date: NaiveDate,
    /// A value from [`SEXES`].
    pub sex: String,
    /// Home (or facility) address.
    pub address: SyntheticAddress,
    /// Landline and/or mobile numbers; at least one.
    pub phones: Vec<String>,
    /// A value from [`LIVING_SITUATIONS`].
    pub living_situation: String,
    /// A value from [`CARE_LEVELS`].
    pub care_level: String,
    /// Zero or more family doctors.
    pub family_doctors: Vec<SyntheticFamilyDoctor>,
    /// Emergency contacts in priority order (about 8% have none).
    pub emergency_contacts: Vec<SyntheticEmergencyContact>,
    /// Medical details.
    pub medical: SyntheticMedical,
    /// Consent to registration.
    pub consent: SyntheticConsent,
}

/// A care decision record (advance care planning, 人生会議).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyntheticDecision {
    /// A value from [`DECISION_KINDS`]; the first record of a person is `new`.
    pub kind: String,
    /// Date of the discussion; records of one person are in date order.
    #[serde(serialize_with = "serialize_date")]
    pub discussed_on: NaiveDate,
    /// Values from [`PARTICIPANTS`], in that order, at least one.
    pub participants: Vec<String>,
    /// Names of participating family members (non-empty iff `family` took part).
    pub family_names: Vec<String>,
    /// A value from [`WISHES`].
    pub cpr: String,
    /// A value from [`WISHES`].
    pub intubation: String,
    /// A value from [`WISHES`].
    pub hospital_transport: String,
    /// A value from [`WISHES`].
    pub artificial_nutrition: String,
    /// A value from [`PLACES`].
    pub preferred_place_of_care: String,
    /// A value from [`PLACES`].
    pub preferred_place_of_death: String,
    /// Whether the decision was shared with the family.
    pub shared_with_family: bool,
    /// Instructions written by the physician, if any.
    pub physician_instructions: Option<String>,
    /// Whether a written advance directive exists.
    pub advance_directive_exists: bool,
    /// Where the advance directive is kept (only when it exists).
    pub advance_directive_location: Option<String>,
    /// The person's own words.
    pub own_words: Option<String>,
    /// When the decision should be reviewed.
    #[serde(serialize_with = "serialize_opt_date")]
    pub review_due: Option<NaiveDate>,
}

/// Age in completed years on `on` of a person born on `birth`.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// A name and its katakana reading.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Name {
    kanji: &'static str,
    kana: &'static str,
}

/// Items with cumulative integer weights, sampled by binary search.
#[derive(Debug, Clone)]
struct Weighted<T> {
    items: Vec<T>,
    cumulative: Vec<u64>,
}

impl<T: Copy + Default> Weighted<T> {
    fn new() -> Self {
        Self {
            items: Vec::new(),
            cumulative: Vec::new(),
        }
    }

    fn push(&mut self, item: T, weight: u64) {
        if weight == 0 {
            return;
        }
        let total = self.total().saturating_add(weight);
        self.items.push(item);
        self.cumulative.push(total);
    }

    fn total(&self) -> u64 {
        self.cumulative.last().copied().unwrap_or(0)
    }

    fn sample(&self, rng: &mut Rng8) -> T {
        let total = self.total();
        if total == 0 {
            return T::default();
        }
        let r = rng.random_range(0..total);
        let i = self.cumulative.partition_point(|&c| c <= r);
        self.items.get(i).copied().unwrap_or_default()
    }
}

/// Index drawn with the given small constant weights (linear scan).
fn pick_weighted(rng: &mut Rng8, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    if total == 0 {
        return 0;
    }
    let mut r = rng.random_range(0..total);
    for (i, w) in weights.iter().enumerate() {
        if r < *w {
            return i;
        }
        r -= w;
    }
    weights.len().saturating_sub(1)
}

fn pick<'a>(rng: &mut Rng8, items: &[&'a str]) -> &'a str {
    items.choose(rng).copied().unwrap_or("")
}

fn chance(rng: &mut Rng8, p: f64) -> bool {
    rng.random::<f64>() < p
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

const STREAM_PERSON: u64 = 0;
const STREAM_DECISIONS: u64 = 1;
const STREAM_SETUP: u64 = 2;

/// A ChaCha8 RNG keyed by (seed, index) on the given stream.
fn rng_for(seed: u64, index: u64, stream: u64) -> Rng8 {
    let mut state = seed;
    let a = splitmix64(&mut state);
    let mut state = a ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03);
    let mut key = [0u8; 32];
    for chunk in key.chunks_exact_mut(8) {
        chunk.copy_from_slice(&splitmix64(&mut state).to_le_bytes());
    }
    let mut rng = Rng8::from_seed(key);
    rng.set_stream(stream);
    rng
}

/// A neighbourhood (町名) of the synthetic city.
#[derive(Debug, Clone)]
struct Neighbourhood {
    name: String,
    postal_code: String,
    /// Number of 丁目; 0 means 番地-style addresses without 丁目.
    chome: u8,
}

/// A clinic or hospital of the doctor pool.
#[derive(Debug, Clone)]
struct Clinic {
    name: String,
    phone: String,
    doctors: Vec<(String, &'static str)>,
}

/// Generates a deterministic synthetic elderly population.
///
/// Cheap to clone; give each worker thread its own clone.
#[derive(Debug, Clone)]
pub struct Generator {
    seed: u64,
    today: NaiveDate,
    district_codes: Vec<String>,
    districts: Weighted<usize>,
    district_neighbourhoods: Vec<Vec<usize>>,
    neighbourhoods: Vec<Neighbourhood>,
    surnames: Weighted<Name>,
    female_given: [Weighted<Name>; 3],
    male_given: [Weighted<Name>; 3],
    younger_female: Weighted<Name>,
    younger_male: Weighted<Name>,
    /// Slot `2 × (age − MIN_AGE) + (1 if female)`.
    age_sex: Weighted<u32>,
    /// Per age: (first possible birth date as days from CE, number of days).
    birth_ranges: Vec<(i32, u32)>,
    clinics: Vec<Clinic>,
    clinic_weights: Weighted<usize>,
    conditions: Weighted<usize>,
    landline_offset: u64,
    mobile_offset: u64,
    /// Reused buffer of chosen condition indices.
    scratch: Vec<usize>,
}

/// Surnames `kanji:kana` in approximate national frequency order (rank 1 first).
const SURNAMES: &str = "\
佐藤:サトウ 鈴木:スズキ 高橋:タカハシ 田中:タナカ 伊藤:イトウ 渡辺:ワタナベ 山本:ヤマモト 中村:ナカムラ 小林:コバヤシ 加藤:カトウ \
吉田:ヨシダ 山田:ヤマダ 佐々木:ササキ 山口:ヤマグチ 松本:マツモト 井上:イノウエ 木村:キムラ 林:ハヤシ 斎藤:サイトウ 清水:シミズ \
山崎:ヤマザキ 森:モリ 池田:イケダ 橋本:ハシモト 阿部:アベ 石川:イシカワ 山下:ヤマシタ 中島:ナカジマ 石井:イシイ 小川:オガワ \
前田:マエダ 岡田:オカダ 長谷川:ハセガワ 藤田:フジタ 後藤:ゴトウ 近藤:コンドウ 村上:ムラカミ 遠藤:エンドウ 青木:アオキ 坂本:サカモト \
斉藤:サイトウ 福田:フクダ 太田:オオタ 西村:ニシムラ 藤井:フジイ 金子:カネコ 岡本:オカモト 藤原:フジワラ 中野:ナカノ 三浦:ミウラ \
原田:ハラダ 中川:ナカガワ 松田:マツダ 竹内:タケウチ 小野:オノ 田村:タムラ 中山:ナカヤマ 和田:ワダ 石田:イシダ 森田:モリタ \
上田:ウエダ 原:ハラ 内田:ウチダ 柴田:シバタ 酒井:サカイ 宮崎:ミヤザキ 横山:ヨコヤマ 高木:タカギ 安藤:アンドウ 宮本:ミヤモト \
大野:オオノ 小島:コジマ 谷口:タニグチ 今井:イマイ 工藤:クドウ 高田:タカダ 増田:マスダ 丸山:マルヤマ 杉山:スギヤマ 村田:ムラタ \
大塚:オオツカ 新井:アライ 小山:コヤマ 平野:ヒラノ 藤本:フジモト 河野:コウノ 上野:ウエノ 野口:ノグチ 武田:タケダ 松井:マツイ \
千葉:チバ 岩崎:イワサキ 菅原:スガワラ 木下:キノシタ 久保:クボ 佐野:サノ 野村:ノムラ 松尾:マツオ 市川:イチカワ 菊地:キクチ \
杉本:スギモト 古川:フルカワ 大西:オオニシ 島田:シマダ 水野:ミズノ 桜井:サクライ 高野:タカノ 渡部:ワタナベ 吉川:ヨシカワ 山内:ヤマウチ \
西田:ニシダ 飯田:イイダ 菊池:キクチ 西川:ニシカワ 小松:コマツ 北村:キタムラ 安田:ヤスダ 五十嵐:イガラシ 川口:カワグチ 平田:ヒラタ \
関:セキ 中田:ナカタ 久保田:クボタ 服部:ハットリ 東:ヒガシ 岩田:イワタ 土屋:ツチヤ 川崎:カワサキ 福島:フクシマ 本田:ホンダ \
辻:ツジ 樋口:ヒグチ 秋山:アキヤマ 田口:タグチ 永井:ナガイ 山中:ヤマナカ 中西:ナカニシ 吉村:ヨシムラ 川上:カワカミ 石原:イシハラ \
大橋:オオハシ 松岡:マツオカ 馬場:ババ 浅野:アサノ 荒木:アラキ 大久保:オオクボ 野田:ノダ 小池:コイケ 松下:マツシタ 熊谷:クマガイ \
菅野:カンノ 大谷:オオタニ 田辺:タナベ 川村:カワムラ 星野:ホシノ 黒田:クロダ 堀:ホリ 尾崎:オザキ 望月:モチヅキ 永田:ナガタ \
内藤:ナイトウ 松浦:マツウラ 田代:タシロ 平井:ヒライ 大川:オオカワ 横田:ヨコタ 岩本:イワモト 堀内:ホリウチ 高山:タカヤマ 竹田:タケダ \
中尾:ナカオ 片山:カタヤマ 南:ミナミ 小田:オダ 大石:オオイシ 宮田:ミヤタ 森本:モリモト 吉岡:ヨシオカ 桑原:クワバラ 杉浦:スギウラ \
今村:イマムラ 小西:コニシ 成田:ナリタ 岡崎:オカザキ 西山:ニシヤマ 上原:ウエハラ 三宅:ミヤケ 大竹:オオタケ 須藤:スドウ 富田:トミタ \
小沢:オザワ 奥村:オクムラ 松村:マツムラ 村井:ムライ 安部:アベ 岡:オカ 荒井:アライ 宮下:ミヤシタ 西尾:ニシオ 石黒:イシグロ \
足立:アダチ 坂口:サカグチ 河合:カワイ 浜田:ハマダ 小森:コモリ 関口:セキグチ 奥田:オクダ 沢田:サワダ 飯塚:イイヅカ 本間:ホンマ \
石塚:イシヅカ 八木:ヤギ 松原:マツバラ 植田:ウエダ 小倉:オグラ 三上:ミカミ 大森:オオモリ 相馬:ソウマ 吉野:ヨシノ 中井:ナカイ \
石橋:イシバシ 大島:オオシマ 大山:オオヤマ 矢野:ヤノ 水谷:ミズタニ 田島:タジマ 川田:カワダ 堀田:ホッタ 嶋田:シマダ 細川:ホソカワ \
岸:キシ 栗原:クリハラ 進藤:シンドウ 畠山:ハタケヤマ 及川:オイカワ 佐久間:サクマ 千田:チダ 高崎:タカサキ 今野:コンノ 紺野:コンノ \
小笠原:オガサワラ 鎌田:カマタ 蛯名:エビナ 澤田:サワダ 葛西:カサイ 小野寺:オノデラ 山谷:ヤマヤ 今:コン 対馬:ツシマ 鳴海:ナルミ \
船山:フナヤマ 梅田:ウメダ 松永:マツナガ 中沢:ナカザワ 北川:キタガワ 竹中:タケナカ 岡村:オカムラ 長田:ナガタ 古田:フルタ 杉田:スギタ \
石山:イシヤマ 森下:モリシタ 長尾:ナガオ 森川:モリカワ 根本:ネモト 平川:ヒラカワ 荻野:オギノ 西岡:ニシオカ 宇野:ウノ 大沢:オオサワ \
坂田:サカタ 福井:フクイ 滝沢:タキザワ 野崎:ノザキ 岩井:イワイ 島崎:シマザキ 大井:オオイ 谷:タニ 相川:アイカワ 飯島:イイジマ \
関根:セキネ 吉原:ヨシハラ 星:ホシ 金井:カナイ 早川:ハヤカワ 丹羽:ニワ 平山:ヒラヤマ 片岡:カタオカ 小谷:コタニ 川島:カワシマ \
小原:オハラ 浅井:アサイ 大村:オオムラ 中谷:ナカタニ 岡部:オカベ 福本:フクモト 田上:タガミ 若林:ワカバヤシ 谷川:タニガワ 大原:オオハラ \
吉沢:ヨシザワ 黒川:クロカワ 三木:ミキ 堤:ツツミ 長野:ナガノ 二宮:ニノミヤ 中本:ナカモト 奥山:オクヤマ 石崎:イシザキ 梶原:カジワラ \
森山:モリヤマ 向井:ムカイ 西本:ニシモト 今田:イマダ 松山:マツヤマ 土井:ドイ 宮川:ミヤガワ 赤木:アカギ 赤坂:アカサカ 白石:シライシ \
堀川:ホリカワ 岡野:オカノ 河村:カワムラ 芳賀:ハガ 庄司:ショウジ 東海林:ショウジ 上村:ウエムラ 新田:ニッタ 八田:ハッタ 日野:ヒノ \
今泉:イマイズミ 荒川:アラカワ 岩瀬:イワセ 宮内:ミヤウチ 金田:カネダ 町田:マチダ 桜田:サクラダ 藤川:フジカワ 藤村:フジムラ 藤沢:フジサワ \
野中:ノナカ 笠原:カサハラ 柳田:ヤナギダ 柳沢:ヤナギサワ 村松:ムラマツ 浅田:アサダ 米田:ヨネダ 堀口:ホリグチ 吉井:ヨシイ 青山:アオヤマ \
湯浅:ユアサ 中嶋:ナカジマ 戸田:トダ 神田:カンダ 春日:カスガ 秋元:アキモト 若松:ワカマツ 杉村:スギムラ 武藤:ムトウ 有馬:アリマ \
新谷:シンタニ 寺田:テラダ 寺島:テラシマ 中條:チュウジョウ 城:ジョウ 長島:ナガシマ 中澤:ナカザワ 牧野:マキノ 牧:マキ 坂井:サカイ \
菅:スガ 国井:クニイ 栗田:クリタ 佐伯:サエキ 伊東:イトウ 伊達:ダテ 土田:ツチダ 石丸:イシマル 橘:タチバナ 立花:タチバナ \
須田:スダ 角田:ツノダ 吉本:ヨシモト 川端:カワバタ 小泉:コイズミ 沼田:ヌマタ 鶴岡:ツルオカ 亀井:カメイ 金沢:カナザワ 一戸:イチノヘ \
二瓶:ニヘイ 松崎:マツザキ 大平:オオヒラ 小坂:コサカ 大門:ダイモン 北島:キタジマ 東條:トウジョウ 本郷:ホンゴウ 能登:ノト 目黒:メグロ \
佐竹:サタケ 山岸:ヤマギシ 小熊:オグマ 大友:オオトモ 大場:オオバ 田畑:タバタ 萩原:ハギワラ 野沢:ノザワ 南部:ナンブ 高見:タカミ \
高井:タカイ 高松:タカマツ 向山:ムコウヤマ 上杉:ウエスギ 伏見:フシミ 仲村:ナカムラ 表:オモテ 百瀬:モモセ 十河:ソゴウ 勝又:カツマタ";

/// Given names of women born 1920–1960: `kanji:kana:weight:era` (era a < 1935 ≤ b < 1950 ≤ c; x any).
const FEMALE_ELDER: &str = "\
トシ:トシ:30:a ハナ:ハナ:25:a キヨ:キヨ:20:a ツル:ツル:15:a キク:キク:18:a ウメ:ウメ:18:a マツ:マツ:12:a タケ:タケ:12:a ヨシ:ヨシ:20:a ハル:ハル:18:a \
フミ:フミ:15:a チヨ:チヨ:20:a トメ:トメ:12:a シズ:シズ:15:a ミツ:ミツ:12:a サダ:サダ:10:a イネ:イネ:8:a ナツ:ナツ:8:a ユキ:ユキ:12:a セツ:セツ:10:a \
テル:テル:10:a スミ:スミ:12:a カツ:カツ:10:a ヨネ:ヨネ:12:a マサ:マサ:10:a トミ:トミ:12:a キミ:キミ:12:a ミヨ:ミヨ:10:a 文子:フミコ:40:a 千代子:チヨコ:35:a \
久子:ヒサコ:45:a 静子:シズコ:40:a 清子:キヨコ:35:a 正子:マサコ:40:a 八重子:ヤエコ:25:a 貞子:サダコ:25:a 富子:トミコ:25:a 松子:マツコ:15:a 梅子:ウメコ:15:a 竹子:タケコ:10:a \
菊子:キクコ:15:a 鶴子:ツルコ:12:a 初江:ハツエ:15:a 艶子:ツヤコ:8:a 絹子:キヌコ:12:a 芳子:ヨシコ:35:a 春子:ハルコ:30:a 花子:ハナコ:20:a 君子:キミコ:30:a 光子:ミツコ:35:a \
照子:テルコ:25:a 静江:シズエ:15:a 文江:フミエ:15:a 久江:ヒサエ:12:a 房子:フサコ:15:a 好子:ヨシコ:15:a 寿子:ヒサコ:12:a 喜代子:キヨコ:18:a 民子:タミコ:12:a 秋子:アキコ:15:a \
操:ミサオ:10:a キョウ:キョウ:6:a リュウ:リュウ:3:a 和子:カズコ:100:b 幸子:サチコ:80:b 節子:セツコ:70:b 洋子:ヨウコ:50:b 美智子:ミチコ:55:b 恵子:ケイコ:55:b 京子:キョウコ:45:b \
弘子:ヒロコ:45:b 悦子:エツコ:35:b 信子:ノブコ:40:b 昭子:アキコ:35:b 敏子:トシコ:40:b 美代子:ミヨコ:35:b 道子:ミチコ:30:b 勝子:カツコ:25:b 栄子:エイコ:25:b 澄子:スミコ:30:b \
孝子:タカコ:35:b 登美子:トミコ:20:b 愛子:アイコ:20:b 良子:ヨシコ:30:b 美津子:ミツコ:20:b 三枝子:ミエコ:15:b 多恵子:タエコ:18:b 加代子:カヨコ:15:b 佐知子:サチコ:15:b 千恵子:チエコ:20:b \
公子:キミコ:20:b 律子:リツコ:15:b 満子:ミツコ:12:b 雅子:マサコ:20:b 睦子:ムツコ:15:b 礼子:レイコ:15:b 妙子:タエコ:15:b 幸江:ユキエ:15:b 美佐子:ミサコ:15:b 貴美子:キミコ:12:b \
須美子:スミコ:12:b 百合子:ユリコ:15:b 和代:カズヨ:15:b 久代:ヒサヨ:10:b 文代:フミヨ:10:b 光江:ミツエ:12:b 正江:マサエ:12:b 千鶴子:チヅコ:12:b 嘉子:ヨシコ:8:b 淑子:ヨシコ:12:b \
冨美子:フミコ:8:b 喜美子:キミコ:15:b 登志子:トシコ:10:b 勝江:カツエ:8:b 政子:マサコ:12:b 俊子:トシコ:15:b 小夜子:サヨコ:10:b 美和子:ミワコ:10:b 真知子:マチコ:10:b 勢津子:セツコ:8:b \
昌子:マサコ:15:b 節江:セツエ:10:b 悦代:エツヨ:8:b 瑞枝:ミズエ:6:b 紀美子:キミコ:12:b 徳子:ノリコ:8:b 照代:テルヨ:8:b 千代:チヨ:8:b 笑子:エミコ:8:b 由美子:ユミコ:50:c \
裕子:ユウコ:45:c 優子:ユウコ:20:c 順子:ジュンコ:40:c 陽子:ヨウコ:35:c 康子:ヤスコ:30:c 紀子:ノリコ:30:c 典子:ノリコ:35:c 直子:ナオコ:35:c 明美:アケミ:35:c 啓子:ケイコ:20:c \
久美子:クミコ:45:c 美恵子:ミエコ:25:c 恵美子:エミコ:30:c 晴美:ハルミ:15:c 由紀子:ユキコ:20:c 容子:ヨウコ:10:c 蓉子:ヨウコ:6:c 祥子:ショウコ:15:c 尚子:ナオコ:15:c 涼子:リョウコ:8:c \
恭子:キョウコ:25:c 慶子:ケイコ:15:c 智子:トモコ:35:c 朋子:トモコ:12:c 令子:レイコ:8:c 玲子:レイコ:12:c 真理子:マリコ:20:c 眞理子:マリコ:4:c 美穂子:ミホコ:10:c 純子:ジュンコ:30:c \
ひろみ:ヒロミ:12:c みどり:ミドリ:12:c まゆみ:マユミ:10:c 幸枝:ユキエ:8:x 美代:ミヨ:6:x 孝江:タカエ:6:x 美佐江:ミサエ:6:x 久美:クミ:6:x 千枝子:チエコ:6:x 弥生:ヤヨイ:8:x \
早苗:サナエ:8:x 美雪:ミユキ:6:x 和江:カズエ:10:x 恵美:エミ:6:x 頼子:ヨリコ:4:x 鈴子:スズコ:6:x 栄:サカエ:4:x 京:キョウ:3:x 十四子:トシコ:1:x 秀子:ヒデコ:30:x";

/// Given names of men born 1920–1960: `kanji:kana:weight:era` (era a < 1935 ≤ b < 1950 ≤ c; x any).
const MALE_ELDER: &str = "\
留吉:トメキチ:8:a 寅吉:トラキチ:8:a 松太郎:マツタロウ:8:a 金次郎:キンジロウ:6:a 太郎:タロウ:15:a 四郎:シロウ:15:a 五郎:ゴロウ:12:a 六郎:ロクロウ:6:a 喜一:キイチ:10:a 喜代治:キヨジ:6:a \
源次:ゲンジ:6:a 寅雄:トラオ:8:a 徳治:トクジ:8:a 徳三:トクゾウ:8:a 豊治:トヨジ:6:a 巌:イワオ:10:a 巖:イワオ:3:a 勲:イサオ:15:a 武雄:タケオ:20:a 静雄:シズオ:12:a \
富雄:トミオ:12:a 辰雄:タツオ:10:a 龍雄:タツオ:6:a 正治:マサハル:12:a 庄三:ショウゾウ:10:a 正三:ショウゾウ:12:a 省三:ショウゾウ:6:a 栄:サカエ:10:a 栄一:エイイチ:12:a 操:ミサオ:5:a \
貢:ミツグ:6:a 繁:シゲル:15:a 寅之助:トラノスケ:4:a 市郎:イチロウ:6:a 三郎:サブロウ:30:a 二郎:ジロウ:15:a 次郎:ジロウ:20:a 一郎:イチロウ:30:a 正雄:マサオ:40:a 正男:マサオ:30:a \
義雄:ヨシオ:30:a 秀雄:ヒデオ:30:a 英雄:ヒデオ:25:a 清一:セイイチ:12:a 清治:セイジ:10:a 忠雄:タダオ:15:a 忠:タダシ:20:a 光雄:ミツオ:15:a 重雄:シゲオ:12:a 久雄:ヒサオ:12:a \
文雄:フミオ:15:a 信夫:ノブオ:20:a 政雄:マサオ:10:a 良雄:ヨシオ:10:a 善雄:ヨシオ:8:a 芳雄:ヨシオ:10:a 輝雄:テルオ:10:a 勝雄:カツオ:12:a 金作:キンサク:4:a 長吉:チョウキチ:4:a \
清:キヨシ:70:b 茂:シゲル:60:b 実:ミノル:50:b 博:ヒロシ:70:b 勇:イサム:45:b 正:タダシ:40:b 昭:アキラ:40:b 進:ススム:45:b 弘:ヒロシ:40:b 勝:マサル:35:b \
武:タケシ:35:b 稔:ミノル:25:b 勉:ツトム:35:b 和夫:カズオ:60:b 幸雄:ユキオ:35:b 幸男:ユキオ:20:b 行雄:ユキオ:10:b 一男:カズオ:20:b 和男:カズオ:20:b 一夫:カズオ:15:b \
一雄:カズオ:10:b 秀夫:ヒデオ:20:b 英夫:ヒデオ:15:b 義男:ヨシオ:15:b 正一:ショウイチ:25:b 昭二:ショウジ:15:b 昭夫:アキオ:20:b 孝:タカシ:30:b 保:タモツ:25:b 功:イサオ:20:b \
利夫:トシオ:20:b 敏夫:トシオ:15:b 俊夫:トシオ:15:b 光男:ミツオ:15:b 勝利:カツトシ:10:b 健一:ケンイチ:25:b 健二:ケンジ:20:b 正義:マサヨシ:15:b 邦夫:クニオ:15:b 国男:クニオ:10:b \
達夫:タツオ:15:b 勝男:カツオ:10:b 康夫:ヤスオ:15:b 安雄:ヤスオ:8:b 忠夫:タダオ:10:b 隆夫:タカオ:10:b 孝雄:タカオ:10:b 高雄:タカオ:8:b 三男:ミツオ:8:b 政男:マサオ:10:b \
正夫:マサオ:15:b 昌夫:マサオ:8:b 茂雄:シゲオ:10:b 繁雄:シゲオ:6:b 典夫:ノリオ:10:b 則夫:ノリオ:10:b 紀夫:ノリオ:6:b 昇:ノボル:25:b 登:ノボル:15:b 満:ミツル:15:b \
守:マモル:20:b 等:ヒトシ:15:b 均:ヒトシ:10:b 仁:ヒトシ:8:b 寛:ヒロシ:15:b 宏:ヒロシ:15:b 洋:ヒロシ:10:b 潔:キヨシ:10:b 靖:ヤスシ:10:b 薫:カオル:10:b \
馨:カオル:4:b 耕一:コウイチ:15:b 幸一:コウイチ:20:b 弘一:コウイチ:8:b 良一:リョウイチ:12:b 精一:セイイチ:8:b 恭一:キョウイチ:8:b 京一:キョウイチ:4:b 勝美:カツミ:8:b 克己:カツミ:8:b \
竜:リュウ:3:b 隆一:リュウイチ:8:b 竜二:リュウジ:5:b 猛:タケシ:10:b 剛:ツヨシ:8:b 章:アキラ:15:b 明:アキラ:25:b 修:オサム:25:b 治:オサム:20:b 収:オサム:5:b \
誠:マコト:40:c 隆:タカシ:35:c 豊:ユタカ:30:c 浩:ヒロシ:25:c 裕:ユタカ:12:c 学:マナブ:15:c 悟:サトル:15:c 聡:サトシ:12:c 哲:サトシ:8:c 智:サトシ:6:c \
徹:トオル:15:c 透:トオル:8:c 通:トオル:5:c 亨:トオル:5:c 健:タケシ:12:c 毅:タケシ:6:c 強:ツヨシ:4:c 浩一:コウイチ:20:c 晃一:コウイチ:8:c 雄二:ユウジ:15:c \
勇二:ユウジ:10:c 裕二:ユウジ:10:c 祐司:ユウジ:8:c 誠二:セイジ:10:c 英二:エイジ:10:c 栄治:エイジ:8:c 謙二:ケンジ:10:c 賢治:ケンジ:10:c 憲一:ケンイチ:10:c 正人:マサト:10:c \
正明:マサアキ:12:c 秀樹:ヒデキ:15:c 信一:シンイチ:15:c 伸一:シンイチ:15:c 和彦:カズヒコ:15:c 雅彦:マサヒコ:10:c 敏彦:トシヒコ:10:c 正彦:マサヒコ:8:c 純一:ジュンイチ:12:c 順一:ジュンイチ:8:c \
俊一:シュンイチ:8:c 修一:シュウイチ:12:c 周一:シュウイチ:5:c 秀一:シュウイチ:8:c 祐一:ユウイチ:8:c 勇一:ユウイチ:6:c 雄一:ユウイチ:10:c 亮一:リョウイチ:6:c 亮:リョウ:5:c 護:マモル:5:c \
衛:マモル:3:c 充:ミツル:8:c 晋:ススム:5:c 優:マサル:5:c 博之:ヒロユキ:10:c 俊彦:トシヒコ:6:c 雄三:ユウゾウ:6:x 祐三:ユウゾウ:4:x 昭一:ショウイチ:10:x 秀次:ヒデツグ:3:x";

/// Number of clinics and hospitals in the family-doctor pool.
const CLINIC_COUNT: usize = 200;

/// Birth-era bucket of a birth year: 0 before 1935, 1 before 1950, else 2.
fn era_of(year: i32) -> usize {
    if year < 1935 {
        0
    } else if year < 1950 {
        1
    } else {
        2
    }
}

/// `items[i]`, or `""` when out of range.
fn at(items: &[&'static str], i: usize) -> &'static str {
    items.get(i).copied().unwrap_or("")
}

/// Relationship of an emergency contact to the registrant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kin {
    Spouse,
    Son,
    Daughter,
    SonInLaw,
    DaughterInLaw,
    Grandchild,
    Brother,
    Sister,
    Nephew,
    Niece,
    NonFamily,
}

/// Relationship label, kin kind, weight, and whether it may repeat.
const RELATIONS: &[(&str, Kin, u32, bool)] = &[
    ("長男", Kin::Son, 30, false),
    ("長女", Kin::Daughter, 28, false),
    ("次男", Kin::Son, 14, false),
    ("次女", Kin::Daughter, 14, false),
    ("三男", Kin::Son, 4, false),
    ("三女", Kin::Daughter, 4, false),
    ("長男の妻", Kin::DaughterInLaw, 5, false),
    ("長女の夫", Kin::SonInLaw, 2, false),
    ("孫", Kin::Grandchild, 6, true),
    ("兄", Kin::Brother, 2, false),
    ("弟", Kin::Brother, 3, false),
    ("姉", Kin::Sister, 2, false),
    ("妹", Kin::Sister, 3, false),
    ("甥", Kin::Nephew, 3, true),
    ("姪", Kin::Niece, 3, true),
    ("知人", Kin::NonFamily, 2, true),
    ("近所の方", Kin::NonFamily, 2, true),
    ("民生委員", Kin::NonFamily, 2, false),
];

/// Sum of the [`RELATIONS`] weights.
const RELATIONS_TOTAL: u32 = {
    let mut total = 0;
    let mut i = 0;
    while i < RELATIONS.len() {
        total += RELATIONS[i].2;
        i += 1;
    }
    total
};

/// Index into [`RELATIONS`], by weight.
fn pick_relation(rng: &mut Rng8) -> usize {
    let mut r = rng.random_range(0..RELATIONS_TOTAL);
    for (i, relation) in RELATIONS.iter().enumerate() {
        if r < relation.2 {
            return i;
        }
        r -= relation.2;
    }
    0
}

/// Relationships that are not family (excluded from decision family names).
const NON_FAMILY_RELATIONSHIPS: [&str; 4] = ["知人", "近所の方", "民生委員", "成年後見人"];

/// Sex restriction of a condition.
const ANY_SEX: u8 = 0;
const MALE_ONLY: u8 = 1;
const FEMALE_ONLY: u8 = 2;

/// A diagnosis with its weight, medications and associated devices (‰).
struct ConditionSpec {
    name: &'static str,
    weight: u64,
    sex: u8,
    medications: &'static [&'static str],
    devices: &'static [(&'static str, u32)],
}

const CONDITIONS: &[ConditionSpec] = &[
    ConditionSpec {
        name: "高血圧症",
        weight: 450,
        sex: ANY_SEX,
        medications: &[
            "アムロジピン錠5mg 1日1回",
            "オルメサルタン錠20mg 1日1回",
            "カンデサルタン錠8mg 1日1回",
            "ニフェジピンCR錠20mg 1日1回",
            "アジルサルタン錠20mg 1日1回",
        ],
        devices: &[],
    },
    ConditionSpec {
        name: "脂質異常症",
        weight: 200,
        sex: ANY_SEX,
        medications: &[
            "ロスバスタチン錠2.5mg 1日1回",
            "アトルバスタチン錠10mg 1日1回",
        ],
        devices: &[],
    },
    ConditionSpec {
        name: "2型糖尿病",
        weight: 180,
        sex: ANY_SEX,
        medications: &[
            "メトホルミン錠250mg 1日2回",
            "シタグリプチン錠50mg 1日1回",
            "グリメピリド錠1mg 1日1回",
            "リナグリプチン錠5mg 1日1回",
        ],
        devices: &[("insulin", 280)],
    },
    ConditionSpec {
        name: "心不全",
        weight: 80,
        sex: ANY_SEX,
        medications: &[
            "フロセミド錠20mg 1日1回",
            "カルベジロール錠2.5mg 1日2回",
            "スピロノラクトン錠25mg 1日1回",
            "エナラプリル錠2.5mg 1日1回",
        ],
        devices: &[("icd", 40), ("home_oxygen", 60), ("pacemaker", 50)],
    },
    ConditionSpec {
        name: "心房細動",
        weight: 80,
        sex: ANY_SEX,
        medications: &[
            "ワーファリン錠1mg 1日1回",
            "アピキサバン錠5mg 1日2回",
            "エドキサバン錠30mg 1日1回",
            "ビソプロロール錠2.5mg 1日1回",
        ],
        devices: &[("pacemaker", 80)],
    },
    ConditionSpec {
        name: "洞不全症候群",
        weight: 15,
        sex: ANY_SEX,
        medications: &[],
        devices: &[("pacemaker", 900)],
    },
    ConditionSpec {
        name: "狭心症",
        weight: 50,
        sex: ANY_SEX,
        medications: &[
            "アスピリン腸溶錠100mg 1日1回",
            "ニトログリセリン舌下錠0.3mg 発作時",
            "一硝酸イソソルビド錠20mg 1日2回",
        ],
        devices: &[],
    },
    ConditionSpec {
        name: "陳旧性心筋梗塞",
        weight: 30,
        sex: ANY_SEX,
        medications: &[
            "アスピリン腸溶錠100mg 1日1回",
            "クロピドグレル錠75mg 1日1回",
        ],
        devices: &[("icd", 100)],
    },
    ConditionSpec {
        name: "脳梗塞後遺症",
        weight: 70,
        sex: ANY_SEX,
        medications: &["クロピドグレル錠75mg 1日1回", "シロスタゾール錠50mg 1日2回"],
        devices: &[("tube_feeding", 40), ("urinary_catheter", 30)],
    },
    ConditionSpec {
        name: "脳出血後遺症",
        weight: 20,
        sex: ANY_SEX,
        medications: &["アムロジピン錠5mg 1日1回"],
        devices: &[("tube_feeding", 50)],
    },
    ConditionSpec {
        name: "アルツハイマー型認知症",
        weight: 90,
        sex: ANY_SEX,
        medications: &[
            "ドネペジル錠5mg 1日1回",
            "メマンチン錠20mg 1日1回",
            "ガランタミン錠8mg 1日2回",
        ],
        devices: &[],
    },
    ConditionSpec {
        name: "認知症",
        weight: 40,
        sex: ANY_SEX,
        medications: &["ドネペジル錠5mg 1日1回", "抑肝散 1日3回"],
        devices: &[],
    },
    ConditionSpec {
        name: "パーキンソン病",
        weight: 25,
        sex: ANY_SEX,
        medications: &[
            "レボドパ・カルビドパ配合錠 1日3回",
            "プラミペキソール錠0.5mg 1日2回",
        ],
        devices: &[("tube_feeding", 50), ("suction", 40)],
    },
    ConditionSpec {
        name: "COPD",
        weight: 50,
        sex: ANY_SEX,
        medications: &[
            "チオトロピウム吸入 1日1回",
            "ウメクリジニウム・ビランテロール吸入 1日1回",
        ],
        devices: &[("home_oxygen", 250)],
    },
    ConditionSpec {
        name: "間質性肺炎",
        weight: 15,
        sex: ANY_SEX,
        medications: &["ピルフェニドン錠200mg 1日3回", "プレドニゾロン錠5mg 1日1回"],
        devices: &[("home_oxygen", 400)],
    },
    ConditionSpec {
        name: "気管支喘息",
        weight: 30,
        sex: ANY_SEX,
        medications: &[
            "ブデソニド・ホルモテロール吸入 1日2回",
            "モンテルカスト錠10mg 1日1回",
        ],
        devices: &[],
    },
    ConditionSpec {
        name: "慢性腎臓病",
        weight: 80,
        sex: ANY_SEX,
        medications: &[
            "球形吸着炭カプセル 1日3回",
            "フェブキソスタット錠10mg 1日1回",
        ],
        devices: &[("dialysis", 120)],
    },
    ConditionSpec {
        name: "骨粗鬆症",
        weight: 150,
        sex: ANY_SEX,
        medications: &[
            "アレンドロン酸錠35mg 週1回",
            "エルデカルシトールカプセル0.75μg 1日1回",
        ],
        devices: &[],
    },
    ConditionSpec {
        name: "変形性膝関節症",
        weight: 100,
        sex: ANY_SEX,
        medications: &[
            "ロキソプロフェン錠60mg 疼痛時",
            "セレコキシブ錠100mg 1日2回",
        ],
        devices: &[],
    },
    ConditionSpec {
        name: "腰部脊柱管狭窄症",
        weight: 50,
        sex: ANY_SEX,
        medications: &[
            "リマプロストアルファデクス錠5μg 1日3回",
            "プレガバリンOD錠25mg 1日2回",
        ],
        devices: &[],
    },
    ConditionSpec {
        name: "逆流性食道炎",
        weight: 60,
        sex: ANY_SEX,
        medications: &[
            "ランソプラゾールOD錠15mg 1日1回",
            "ボノプラザン錠10mg 1日1回",
        ],
        devices: &[],
    },
    ConditionSpec {
        name: "胃潰瘍",
        weight: 20,
        sex: ANY_SEX,
        medications: &["ファモチジン錠10mg 1日2回"],
        devices: &[],
    },
    ConditionSpec {
        name: "前立腺肥大症",
        weight: 100,
        sex: MALE_ONLY,
        medications: &["タムスロシンOD錠0.2mg 1日1回", "シロドシン錠4mg 1日2回"],
        devices: &[("urinary_catheter", 60)],
    },
    ConditionSpec {
        name: "過活動膀胱",
        weight: 40,
        sex: ANY_SEX,
        medications: &["ミラベグロン錠50mg 1日1回"],
        devices: &[],
    },
    ConditionSpec {
        name: "緑内障",
        weight: 40,
        sex: ANY_SEX,
        medications: &["ラタノプロスト点眼液 1日1回"],
        devices: &[],
    },
    ConditionSpec {
        name: "白内障術後",
        weight: 30,
        sex: ANY_SEX,
        medications: &[],
        devices: &[],
    },
    ConditionSpec {
        name: "大腸がん術後",
        weight: 20,
        sex: ANY_SEX,
        medications: &[],
        devices: &[("stoma", 300)],
    },
    ConditionSpec {
        name: "胃がん術後",
        weight: 20,
        sex: ANY_SEX,
        medications: &[],
        devices: &[("tube_feeding", 20)],
    },
    ConditionSpec {
        name: "肺がん",
        weight: 10,
        sex: ANY_SEX,
        medications: &["オキシコドン徐放錠5mg 1日2回"],
        devices: &[("home_oxygen", 300)],
    },
    ConditionSpec {
        name: "前立腺がん",
        weight: 15,
        sex: MALE_ONLY,
        medications: &["ビカルタミド錠80mg 1日1回"],
        devices: &[],
    },
    ConditionSpec {
        name: "乳がん術後",
        weight: 15,
        sex: FEMALE_ONLY,
        medications: &["アナストロゾール錠1mg 1日1回"],
        devices: &[],
    },
    ConditionSpec {
        name: "膀胱がん術後",
        weight: 5,
        sex: ANY_SEX,
        medications: &[],
        devices: &[("stoma", 500), ("urinary_catheter", 100)],
    },
    ConditionSpec {
        name: "甲状腺機能低下症",
        weight: 30,
        sex: ANY_SEX,
        medications: &["レボチロキシン錠50μg 1日1回"],
        devices: &[],
    },
    ConditionSpec {
        name: "うつ病",
        weight: 20,
        sex: ANY_SEX,
        medications: &["ミルタザピン錠15mg 就寝前", "セルトラリン錠25mg 1日1回"],
        devices: &[],
    },
    ConditionSpec {
        name: "不眠症",
        weight: 60,
        sex: ANY_SEX,
        medications: &["ゾルピデム錠5mg 就寝前", "スボレキサント錠15mg 就寝前"],
        devices: &[],
    },
    ConditionSpec {
        name: "高尿酸血症",
        weight: 40,
        sex: ANY_SEX,
        medications: &[
            "フェブキソスタット錠20mg 1日1回",
            "アロプリノール錠100mg 1日1回",
        ],
        devices: &[],
    },
    ConditionSpec {
        name: "貧血",
        weight: 30,
        sex: ANY_SEX,
        medications: &["クエン酸第一鉄ナトリウム錠50mg 1日1回"],
        devices: &[],
    },
    ConditionSpec {
        name: "便秘症",
        weight: 80,
        sex: ANY_SEX,
        medications: &["酸化マグネシウム錠330mg 1日3回", "センノシド錠12mg 就寝前"],
        devices: &[],
    },
    ConditionSpec {
        name: "誤嚥性肺炎の既往",
        weight: 20,
        sex: ANY_SEX,
        medications: &[],
        devices: &[("suction", 250), ("tube_feeding", 150)],
    },
    ConditionSpec {
        name: "筋萎縮性側索硬化症",
        weight: 1,
        sex: ANY_SEX,
        medications: &["リルゾール錠50mg 1日2回"],
        devices: &[
            ("ventilator", 500),
            ("tracheostomy", 500),
            ("suction", 800),
            ("tube_feeding", 600),
        ],
    },
    ConditionSpec {
        name: "褥瘡",
        weight: 10,
        sex: ANY_SEX,
        medications: &["スルファジアジン銀クリーム 1日1回"],
        devices: &[],
    },
];

/// Insulin regimen added when the `insulin` device is present.
const INSULIN_MEDICATION: &str = "インスリン グラルギン注 1日1回（自己注射）";

/// Devices that follow from the care level alone: (device, ‰ at care_4, ‰ at care_5).
const CARE_DEVICES: &[(&str, u32, u32)] = &[
    ("tube_feeding", 60, 150),
    ("suction", 40, 100),
    ("urinary_catheter", 50, 80),
    ("tracheostomy", 5, 20),
    ("ventilator", 1, 5),
];

const ALLERGIES: &[&str] = &[
    "ペニシリン",
    "セフェム系抗菌薬",
    "造影剤",
    "アスピリン",
    "ロキソプロフェン",
    "NSAIDs",
    "サルファ剤",
    "ヨード",
    "局所麻酔薬",
    "卵",
    "牛乳",
    "そば",
    "えび・かに",
    "小麦",
    "ラテックス",
    "テープかぶれ",
    "キウイ",
    "花粉",
];

const MEDICAL_NOTES: &[&str] = &[
    "難聴あり",
    "右耳が聞こえにくい",
    "視力低下あり",
    "義歯あり",
    "杖歩行",
    "車いす使用",
    "歩行器使用",
    "ほぼ寝たきり",
    "夜間せん妄あり",
    "物忘れが多い",
    "嚥下機能低下あり、とろみ食",
    "一人で外出すると道に迷うことがある",
    "血圧が高めで推移",
    "転倒歴あり",
    "左半身に麻痺あり",
    "透析は月水金の午前",
    "在宅酸素は安静時1L/分",
    "インスリン自己注射は家族が確認",
    "ペースメーカー手帳あり",
    "服薬は一包化",
    "訪問看護を週2回利用",
    "デイサービスを週3回利用",
    "糖尿病手帳あり",
    "お薬手帳は冷蔵庫の救急医療情報キット内",
];

const CONTACT_NOTES: &[&str] = &[
    "日中は仕事",
    "日中は仕事のため夕方以降",
    "近所に住んでいる",
    "札幌市在住",
    "旭川市在住",
    "東京都在住",
    "網走市在住",
    "携帯電話を優先",
    "夜間は自宅電話へ",
    "合鍵を預かっている",
    "平日日中は連絡がつきにくい",
    "車で30分の距離",
];

const CLINIC_PLACES: &[&str] = &[
    "北見中央",
    "北見駅前",
    "北見東",
    "北見西",
    "北見南",
    "北見北",
    "三輪",
    "美山",
    "高栄",
    "光西",
    "春光",
    "中ノ島",
    "とん田",
    "小泉",
    "桂町",
    "北斗",
    "美芳",
    "緑町",
    "柏陽",
    "若葉",
    "常盤",
    "朝日",
    "泉町",
    "幸町",
    "大通",
    "寿",
    "山下",
    "端野",
    "留辺蘂",
    "常呂",
    "北光",
    "北進",
    "青葉",
    "本町",
    "並木",
    "さくら",
    "ひまわり",
    "すずらん",
    "はまなす",
    "こぶし",
    "オホーツク",
    "北の森",
    "つつじ野",
    "緑ヶ丘",
    "北星",
    "旭",
    "野付牛",
    "ひかり",
    "けやき",
    "いずみ",
];

/// Clinic name suffix, department (`*` = varies by doctor), weight.
const CLINIC_TYPES: &[(&str, &str, u32)] = &[
    ("内科クリニック", "内科", 20),
    ("クリニック", "内科", 12),
    ("内科医院", "内科", 14),
    ("医院", "内科", 8),
    ("診療所", "内科", 6),
    ("ファミリークリニック", "内科", 4),
    ("在宅クリニック", "内科", 4),
    ("内科・循環器内科", "循環器内科", 6),
    ("循環器内科クリニック", "循環器内科", 4),
    ("ハートクリニック", "循環器内科", 2),
    ("消化器内科クリニック", "消化器内科", 4),
    ("胃腸科内科", "消化器内科", 3),
    ("呼吸器内科クリニック", "呼吸器内科", 2),
    ("整形外科", "整形外科", 6),
    ("整形外科クリニック", "整形外科", 3),
    ("脳神経外科", "脳神経外科", 3),
    ("脳神経内科クリニック", "脳神経内科", 2),
    ("腎クリニック", "腎臓内科", 2),
    ("泌尿器科クリニック", "泌尿器科", 2),
    ("眼科", "眼科", 2),
    ("メンタルクリニック", "精神科", 2),
    ("病院", "*", 5),
    ("記念病院", "*", 2),
    ("総合病院", "*", 1),
];

const HOSPITAL_DEPARTMENTS: &[&str] = &[
    "内科",
    "循環器内科",
    "消化器内科",
    "呼吸器内科",
    "脳神経内科",
    "外科",
    "整形外科",
    "腎臓内科",
    "精神科",
];

const FACILITY_KINDS: &[&str] = &[
    "特別養護老人ホーム",
    "グループホーム",
    "介護老人保健施設",
    "サービス付き高齢者向け住宅",
    "有料老人ホーム",
];

const FACILITY_NAMES: &[&str] = &[
    "やすらぎの里",
    "北光園",
    "緑風苑",
    "ひだまり",
    "すずらん荘",
    "はまなす苑",
    "寿楽園",
    "オホーツク苑",
    "桜の杜",
    "いきいきの郷",
    "ふれあいの家",
    "北見けやき荘",
];

const BUILDINGS: &[&str] = &[
    "コーポ",
    "ハイツ",
    "メゾン",
    "サンハイツ",
    "グリーンハイツ",
    "アーバンハイツ",
    "北見パレス",
    "市営住宅",
    "道営住宅",
];

const PHYSICIAN_INSTRUCTIONS: &[&str] = &[
    "急変時はまず主治医（訪問診療）へ連絡",
    "肺炎時は在宅で抗菌薬治療を希望",
    "在宅酸素は安静時1L/分、労作時2L/分",
    "低血糖時はブドウ糖10gを内服",
    "胸痛時はニトログリセリン舌下後、改善なければ救急要請",
    "夜間・休日は訪問看護ステーションへ連絡",
    "看取りの方針、死亡確認は主治医が行う",
];

const DNAR_INSTRUCTION: &str = "心肺停止時は心肺蘇生を行わず、主治医に連絡する（DNAR）";

const DIRECTIVE_LOCATIONS: &[&str] = &[
    "冷蔵庫の救急医療情報キット内",
    "仏壇の引き出し",
    "居間のたんすの一番上の引き出し",
    "かかりつけ医が保管",
    "長男が保管",
    "長女が保管",
    "施設の事務所で保管",
    "ケアマネジャーが写しを保管",
];

const OWN_WORDS: &[&str] = &[
    "最期は住み慣れた家で過ごしたい",
    "延命治療は望まない",
    "家族に迷惑をかけたくない",
    "痛みや苦しみだけはとってほしい",
    "できる限りの治療を受けたい",
    "管につながれてまで生きたくない",
    "口から食べられなくなったら自然に任せたい",
    "子どもたちの判断に任せる",
    "まだ決められない",
    "病院より施設で穏やかに過ごしたい",
    "孫の結婚式までは元気でいたい",
];

/// Neighbourhoods besides the 条 grid: `name:postal:丁目 count` (0 = 番地 style).
const NEIGHBOURHOODS: &str = "\
三輪:090-0831:9 美山町:090-0834:6 高栄東町:090-0832:6 高栄西町:090-0833:9 光西町:090-0035:0 \
春光町:090-0036:7 中ノ島町:090-0037:3 とん田東町:090-0015:0 とん田西町:090-0016:0 小泉:090-0817:0 \
桂町:090-0821:7 清月町:090-0822:0 北斗町:090-0823:3 美芳町:090-0062:13 緑町:090-0013:6 \
柏陽町:090-0057:0 若葉:090-0816:3 常盤町:090-0061:6 朝日町:090-0055:0 泉町:090-0056:6 \
幸町:090-0067:7 大通東:090-0020:9 大通西:090-0019:9 寿町:090-0065:7 山下町:090-0811:4 \
末広町:090-0053:0 花月町:090-0018:0 西富町:090-0051:0 豊地:090-0818:0 北進町:090-0058:6 \
南町:090-0063:2 並木町:090-0066:0 端野町二区:099-2102:0 端野町三区:099-2103:0 端野町緑町:099-2105:0 \
留辺蘂町東町:091-0017:0 留辺蘂町仲町:091-0018:0 留辺蘂町旭:091-0001:0 常呂町字常呂:093-0216:0 \
常呂町字土佐:093-0212:0 常呂町字栄浦:093-0211:0";

/// Variant spellings and readings: `variant:kana:base kanji:percent of base`.
const SURNAME_VARIANTS: &str = "\
髙橋:タカハシ:高橋:8 齋藤:サイトウ:斎藤:12 齊藤:サイトウ:斎藤:6 渡邊:ワタナベ:渡辺:5 渡邉:ワタナベ:渡辺:7 \
山﨑:ヤマザキ:山崎:6 山崎:ヤマサキ:山崎:8 濵田:ハマダ:浜田:5 濱田:ハマダ:浜田:10 宮﨑:ミヤザキ:宮崎:4 \
岩﨑:イワサキ:岩崎:4 髙木:タカギ:高木:5 髙田:タカダ:高田:4 中島:ナカシマ:中島:15 菅野:スガノ:菅野:30 \
河野:カワノ:河野:25 東海林:トウカイリン:東海林:10 角田:カクタ:角田:30 大谷:オオヤ:大谷:10 藤原:フジハラ:藤原:5";

/// Given names of the registrants' children's generation (born 1945–1995), in
/// rough popularity order; used for children, in-laws, grandchildren and doctors.
const YOUNGER_MALE: &str = "\
一郎:イチロウ 浩:ヒロシ 誠:マコト 大輔:ダイスケ 健太:ケンタ 直樹:ナオキ 和也:カズヤ 拓也:タクヤ 達也:タツヤ \
隆:タカシ 剛:ツヨシ 学:マナブ 修:オサム 聡:サトシ 哲也:テツヤ 浩二:コウジ 健二:ケンジ 亮:リョウ 雅之:マサユキ \
秀樹:ヒデキ 洋平:ヨウヘイ 英樹:ヒデキ 康弘:ヤスヒロ 雄一:ユウイチ 信也:シンヤ 俊介:シュンスケ 純一:ジュンイチ \
裕之:ヒロユキ 智也:トモヤ 正樹:マサキ 博之:ヒロユキ 淳:ジュン 徹:トオル 勝也:カツヤ 和弘:カズヒロ 正人:マサト \
隆之:タカユキ 賢一:ケンイチ 幸治:コウジ 竜也:タツヤ 修平:シュウヘイ 大介:ダイスケ 敦:アツシ 健一:ケンイチ \
孝之:タカユキ 雅人:マサト 浩一:コウイチ 昌弘:マサヒロ 義明:ヨシアキ 太郎:タロウ 翔太:ショウタ 隆二:リュウジ";

/// See [`YOUNGER_MALE`].
const YOUNGER_FEMALE: &str = "\
恵子:ケイコ 由美子:ユミコ 久美子:クミコ 裕子:ユウコ 直美:ナオミ 真由美:マユミ 明美:アケミ 智子:トモコ 陽子:ヨウコ \
美穂:ミホ 香織:カオリ 恵:メグミ 薫:カオル 純子:ジュンコ 幸恵:ユキエ 美紀:ミキ 千秋:チアキ 綾子:アヤコ 奈美:ナミ \
麻衣:マイ 理恵:リエ 直子:ナオコ 由香:ユカ 美香:ミカ 亜希子:アキコ 真理子:マリコ 恵美:エミ さとみ:サトミ \
ゆかり:ユカリ 洋子:ヨウコ 京子:キョウコ 順子:ジュンコ 典子:ノリコ 由紀:ユキ 美由紀:ミユキ 弘美:ヒロミ \
祥子:ショウコ 朋美:トモミ 敦子:アツコ 礼子:レイコ 美和:ミワ 亜紀:アキ 貴子:タカコ 尚美:ナオミ 里美:サトミ";

/// Density of Japan's elderly population by age (thousands per year of age):
/// (age at group midpoint, men, women), roughly the 2020s census shape.
const AGE_DENSITY: [(f64, f64, f64); 8] = [
    (67.0, 740.0, 780.0),
    (72.0, 860.0, 960.0),
    (77.0, 660.0, 800.0),
    (82.0, 500.0, 680.0),
    (87.0, 280.0, 480.0),
    (92.0, 106.0, 260.0),
    (97.0, 22.0, 86.0),
    (102.5, 2.0, 13.0),
];

/// (men, women) density at `age`, interpolated linearly between midpoints.
fn age_density(age: f64) -> (f64, f64) {
    let mut previous = AGE_DENSITY[0];
    if age <= previous.0 {
        return (previous.1, previous.2);
    }
    for point in AGE_DENSITY.iter().skip(1) {
        if age <= point.0 {
            let t = (age - previous.0) / (point.0 - previous.0);
            return (
                previous.1 + t * (point.1 - previous.1),
                previous.2 + t * (point.2 - previous.2),
            );
        }
        previous = *point;
    }
    let decay = 0.6_f64.powf(age - previous.0);
    (previous.1 * decay, previous.2 * decay)
}

/// Probability of any long-term-care certification by age.
fn certified_probability(age: u32) -> f64 {
    match age {
        0..=74 => 0.06,
        75..=79 => 0.13,
        80..=84 => 0.27,
        85..=89 => 0.48,
        90..=94 => 0.72,
        _ => 0.88,
    }
}

fn parse_pairs(data: &'static str) -> impl Iterator<Item = Name> {
    data.split_whitespace().filter_map(|token| {
        let (kanji, kana) = token.split_once(':')?;
        Some(Name { kanji, kana })
    })
}

fn build_surnames() -> Weighted<Name> {
    let mut entries: Vec<(Name, u64)> = parse_pairs(SURNAMES)
        .enumerate()
        .map(|(rank, name)| {
            let weight = 1.0e6 * ((rank + 1) as f64).powf(-0.55);
            (name, weight.round() as u64)
        })
        .collect();
    for token in SURNAME_VARIANTS.split_whitespace() {
        let mut parts = token.split(':');
        let (Some(kanji), Some(kana), Some(base), Some(percent)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let Ok(percent) = percent.parse::<u64>() else {
            continue;
        };
        let Some(entry) = entries.iter_mut().find(|(n, _)| n.kanji == base) else {
            continue;
        };
        let moved = entry.1 * percent / 100;
        entry.1 -= moved;
        entries.push((Name { kanji, kana }, moved));
    }
    let mut table = Weighted::new();
    for (name, weight) in entries {
        table.push(name, weight);
    }
    table
}

/// One table per birth era; names of the same era weigh ×3, adjacent eras ×1,
/// era-less names ×2.
fn build_given(data: &'static str) -> [Weighted<Name>; 3] {
    let mut tables = [Weighted::new(), Weighted::new(), Weighted::new()];
    for token in data.split_whitespace() {
        let mut parts = token.split(':');
        let (Some(kanji), Some(kana), Some(weight), Some(era)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let Ok(weight) = weight.parse::<u64>() else {
            continue;
        };
        let era = match era {
            "a" => Some(0usize),
            "b" => Some(1),
            "c" => Some(2),
            _ => None,
        };
        for (t, table) in tables.iter_mut().enumerate() {
            let factor = match era {
                None => 2,
                Some(e) if e == t => 3,
                Some(e) if e.abs_diff(t) == 1 => 1,
                Some(_) => 0,
            };
            table.push(Name { kanji, kana }, weight * factor);
        }
    }
    tables
}

fn build_younger(data: &'static str) -> Weighted<Name> {
    let mut table = Weighted::new();
    let names: Vec<Name> = parse_pairs(data).collect();
    let n = names.len() as u64;
    for (i, name) in names.into_iter().enumerate() {
        table.push(name, n + 10 - i as u64);
    }
    table
}

fn build_neighbourhoods() -> Vec<Neighbourhood> {
    let mut hoods = Vec::new();
    for (direction, postal_base, count) in [("北", 20u32, 9u32), ("南", 40, 8)] {
        for n in 1..=count {
            for side in ["東", "西"] {
                hoods.push(Neighbourhood {
                    name: format!("{direction}{n}条{side}"),
                    postal_code: format!("090-{:04}", postal_base + n),
                    chome: 9,
                });
            }
        }
    }
    for token in NEIGHBOURHOODS.split_whitespace() {
        let mut parts = token.split(':');
        let (Some(name), Some(postal), Some(chome)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        hoods.push(Neighbourhood {
            name: name.to_string(),
            postal_code: postal.to_string(),
            chome: chome.parse().unwrap_or(0),
        });
    }
    hoods
}

fn local_landline(rng: &mut Rng8) -> String {
    format!(
        "0157-{}-{:04}",
        rng.random_range(20..70),
        rng.random_range(0..10_000)
    )
}

fn random_mobile(rng: &mut Rng8) -> String {
    let prefix = if chance(rng, 0.6) { "090" } else { "080" };
    format!(
        "{prefix}-{:04}-{:04}",
        rng.random_range(1_000..10_000),
        rng.random_range(0..10_000)
    )
}

/// A landline of a relative, who may live elsewhere in Japan.
fn relative_landline(rng: &mut Rng8) -> String {
    match pick_weighted(rng, &[55, 20, 8, 5, 5, 7]) {
        0 => local_landline(rng),
        1 => format!(
            "011-{:03}-{:04}",
            rng.random_range(200..900),
            rng.random_range(0..10_000)
        ),
        2 => format!(
            "0166-{:02}-{:04}",
            rng.random_range(20..70),
            rng.random_range(0..10_000)
        ),
        3 => format!(
            "0152-{:02}-{:04}",
            rng.random_range(40..80),
            rng.random_range(0..10_000)
        ),
        4 => format!(
            "0155-{:02}-{:04}",
            rng.random_range(20..70),
            rng.random_range(0..10_000)
        ),
        _ => format!(
            "03-{:04}-{:04}",
            rng.random_range(3_000..6_000),
            rng.random_range(0..10_000)
        ),
    }
}

/// `family given` with one space.
fn spaced(family: &str, given: &str) -> String {
    let mut s = String::with_capacity(family.len() + given.len() + 1);
    s.push_str(family);
    s.push(' ');
    s.push_str(given);
    s
}

/// Draws a treatment wish index into [`WISHES`] given P(not_wanted).
fn wish(rng: &mut Rng8, p_not_wanted: f64, p_wanted_of_rest: f64) -> usize {
    let r = rng.random::<f64>();
    if r < p_not_wanted {
        1
    } else if r < p_not_wanted + (1.0 - p_not_wanted) * p_wanted_of_rest {
        0
    } else {
        2
    }
}

impl Generator {
    /// Creates a generator.
    ///
    /// `today` is the reference date (ages are 65–105 on it; consents and
    /// decisions are dated on or before it). `districts` are `(code, weight)`
    /// pairs, e.g. `("D01", 3.5)`; weights are relative. Non-finite or
    /// negative weights count as 0; if none is positive all districts weigh
    /// the same, and an empty list means a single district `D01`.
    pub fn new(seed: u64, today: NaiveDate, districts: Vec<(String, f64)>) -> Self {
        let districts = if districts.is_empty() {
            vec![("D01".to_string(), 1.0)]
        } else {
            districts
        };
        let valid = |w: f64| w.is_finite() && w > 0.0;
        let max_weight = districts
            .iter()
            .map(|(_, w)| *w)
            .filter(|w| valid(*w))
            .fold(0.0_f64, f64::max);
        let mut district_table = Weighted::new();
        for (i, (_, w)) in districts.iter().enumerate() {
            let weight = if max_weight == 0.0 {
                1
            } else if valid(*w) {
                ((w / max_weight * 1.0e9).round() as u64).max(1)
            } else {
                0
            };
            district_table.push(i, weight);
        }
        let district_codes: Vec<String> = districts.into_iter().map(|(code, _)| code).collect();

        let neighbourhoods = build_neighbourhoods();
        let h = neighbourhoods.len().max(1);
        let n = district_codes.len();
        let district_neighbourhoods: Vec<Vec<usize>> = (0..n)
            .map(|d| {
                if n <= h {
                    // Contiguous blocks of neighbourhoods per district.
                    (0..h).filter(|i| i * n / h == d).collect()
                } else {
                    vec![d % h]
                }
            })
            .collect();

        let mut age_sex = Weighted::new();
        let mut birth_ranges = Vec::with_capacity((MAX_AGE - MIN_AGE + 1) as usize);
        for age in MIN_AGE..=MAX_AGE {
            let (men, women) = age_density(f64::from(age));
            let slot = 2 * (age - MIN_AGE);
            age_sex.push(slot, (men * 1000.0).round() as u64);
            age_sex.push(slot + 1, (women * 1000.0).round() as u64);
            let latest = today
                .checked_sub_months(Months::new(12 * age))
                .unwrap_or(today);
            let earliest = today
                .checked_sub_months(Months::new(12 * (age + 1)))
                .and_then(|d| d.checked_add_days(Days::new(1)))
                .unwrap_or(latest);
            let days = (latest - earliest).num_days() + 1;
            birth_ranges.push((
                earliest.num_days_from_ce(),
                u32::try_from(days).unwrap_or(1).max(1),
            ));
        }

        let mut conditions = Weighted::new();
        for (i, spec) in CONDITIONS.iter().enumerate() {
            conditions.push(i, spec.weight);
        }

        let surnames = build_surnames();
        let younger_male = build_younger(YOUNGER_MALE);
        let younger_female = build_younger(YOUNGER_FEMALE);
        let mut setup = rng_for(seed, 0, STREAM_SETUP);
        let clinics = build_clinics(&mut setup, &surnames, &younger_male, &younger_female);
        let mut clinic_weights = Weighted::new();
        for i in 0..clinics.len() {
            clinic_weights.push(i, (1.0e4 * ((i + 1) as f64).powf(-0.6)).round() as u64);
        }
        let landline_offset = setup.random_range(0..500_000);
        let mobile_offset = setup.random_range(0..100_000_000);

        Self {
            seed,
            today,
            district_codes,
            districts: district_table,
            district_neighbourhoods,
            neighbourhoods,
            surnames,
            female_given: build_given(FEMALE_ELDER),
            male_given: build_given(MALE_ELDER),
            younger_female,
            younger_male,
            age_sex,
            birth_ranges,
            clinics,
            clinic_weights,
            conditions,
            landline_offset,
            mobile_offset,
            scratch: Vec::with_capacity(8),
        }
    }

    /// The reference date given to [`Generator::new`].
    pub fn today(&self) -> NaiveDate {
        self.today
    }

    /// The district codes, in the order given to [`Generator::new`].
    pub fn district_codes(&self) -> &[String] {
        &self.district_codes
    }

    /// Person number `index`; the same seed, `today`, districts and index
    /// always give the same person, whatever was generated before.
    pub fn person(&mut self, index: u64) -> SyntheticPerson {
        let mut rng = rng_for(self.seed, index, STREAM_PERSON);
        let rng = &mut rng;

        let slot = self.age_sex.sample(rng);
        let age = MIN_AGE + slot / 2;
        let female = slot % 2 == 1;
        let birth_date = self.birth_date(rng, age);
        let sex = if chance(rng, 0.0008) {
            if chance(rng, 0.5) {
                "other"
            } else {
                "unknown"
            }
        } else if female {
            "female"
        } else {
            "male"
        };
        let era = era_of(birth_date.year());
        let surname = self.surnames.sample(rng);
        let given = self.elder_given(rng, female, era);

        let care = if chance(rng, certified_probability(age)) {
            1 + pick_weighted(rng, &[14, 14, 20, 17, 13, 12, 8])
        } else {
            0
        };
        let medical = self.medical(rng, age, female, care);
        let living = self.living_situation(rng, age, female, care);
        let address = self.address(rng, living);

        let mut phones = Vec::with_capacity(2);
        if living == 3 || chance(rng, 0.72) {
            phones.push(self.landline(index));
        }
        let p_mobile = (0.85 - f64::from(age - MIN_AGE) * 0.018).max(0.15);
        if living != 3 && (phones.is_empty() || chance(rng, p_mobile)) {
            phones.push(self.mobile(index, rng));
        }

        let family_doctors = self.family_doctors(rng);
        let emergency_contacts = self.emergency_contacts(rng, surname, female, era, living);

        let dementia = medical.conditions.iter().any(|c| c.contains("認知症"));
        let proxy =
            (dementia && chance(rng, 0.8)) || (care >= 6 && chance(rng, 0.5)) || chance(rng, 0.04);
        let obtained_on = self
            .today
            .checked_sub_days(Days::new(rng.random_range(0..=1460)))
            .unwrap_or(self.today);
        let consent = if proxy {
            let (name, relationship) = match emergency_contacts.first() {
                Some(contact) => (contact.name.clone(), contact.relationship.clone()),
                None => {
                    let family = self.surnames.sample(rng);
                    let given = self.younger_male.sample(rng);
                    (spaced(family.kanji, given.kanji), "成年後見人".to_string())
                }
            };
            SyntheticConsent {
                obtained_on,
                by: "proxy".to_string(),
                proxy_name: Some(name),
                proxy_relationship: Some(relationship),
            }
        } else {
            SyntheticConsent {
                obtained_on,
                by: "self".to_string(),
                proxy_name: None,
                proxy_relationship: None,
            }
        };

        SyntheticPerson {
            family_name: surname.kanji.to_string(),
            given_name: given.kanji.to_string(),
            family_name_kana: surname.kana.to_string(),
            given_name_kana: given.kana.to_string(),
            birth_date,
            sex: sex.to_string(),
            address,
            phones,
            living_situation: at(&LIVING_SITUATIONS, living).to_string(),
            care_level: at(&CARE_LEVELS, care).to_string(),
            family_doctors,
            emergency_contacts,
            medical,
            consent,
        }
    }

    /// Care decisions for person `index` (who must be `self.person(index)`):
    /// empty for about 60% of persons, otherwise one or a few records in date
    /// order, the first `new` and later ones `revised` or `reconfirmed`.
    /// Deterministic in (seed, index) like [`Generator::person`].
    pub fn decisions(&mut self, index: u64, person: &SyntheticPerson) -> Vec<SyntheticDecision> {
        let mut rng = rng_for(self.seed, index, STREAM_DECISIONS);
        let rng = &mut rng;
        let care = CARE_LEVELS
            .iter()
            .position(|c| *c == person.care_level)
            .unwrap_or(0);
        let p_any = [0.31, 0.42, 0.42, 0.52, 0.52, 0.65, 0.68, 0.7]
            .get(care)
            .copied()
            .unwrap_or(0.4);
        if !chance(rng, p_any) {
            return Vec::new();
        }
        let count = 1 + pick_weighted(rng, &[60, 27, 10, 3]);
        let age = f64::from(age_on(person.birth_date, self.today).max(65));
        let dementia = person
            .medical
            .conditions
            .iter()
            .any(|c| c.contains("認知症"));
        let in_facility = person.living_situation == "facility";
        let has_devices = !person.medical.devices_and_procedures.is_empty();
        let family: Vec<&str> = person
            .emergency_contacts
            .iter()
            .filter(|c| !NON_FAMILY_RELATIONSHIPS.contains(&c.relationship.as_str()))
            .map(|c| c.name.as_str())
            .collect();
        let care_bonus = [0.0, 0.02, 0.02, 0.05, 0.05, 0.1, 0.15, 0.2]
            .get(care)
            .copied()
            .unwrap_or(0.0);
        let p_not = (0.25 + (age - 65.0) * 0.012 + care_bonus + if dementia { 0.05 } else { 0.0 })
            .min(0.85);

        let draw_wishes = |rng: &mut Rng8| -> [usize; 6] {
            let care_place = if in_facility {
                pick_weighted(rng, &[15, 60, 10, 15])
            } else {
                pick_weighted(rng, &[55, 12, 13, 20])
            };
            let death_place = if in_facility {
                pick_weighted(rng, &[5, 50, 25, 20])
            } else {
                pick_weighted(rng, &[35, 8, 32, 25])
            };
            [
                wish(rng, p_not, 0.45),
                wish(rng, (p_not + 0.05).min(0.9), 0.4),
                wish(rng, p_not * 0.4, 0.7),
                wish(rng, (p_not + 0.1).min(0.9), 0.35),
                care_place,
                death_place,
            ]
        };

        let mut wishes = draw_wishes(rng);
        let mut date = self
            .today
            .checked_sub_days(Days::new(rng.random_range(30..=1800)))
            .unwrap_or(self.today);
        let mut out = Vec::with_capacity(count);
        for i in 0..count {
            let kind = if i == 0 {
                "new"
            } else {
                match date.checked_add_days(Days::new(rng.random_range(90..=540))) {
                    Some(next) if next <= self.today => date = next,
                    _ => break,
                }
                if chance(rng, 0.45) {
                    // Revise one or two of the wishes.
                    let fresh = draw_wishes(rng);
                    let changes = 1 + usize::from(chance(rng, 0.4));
                    for _ in 0..changes {
                        let k = rng.random_range(0..wishes.len());
                        if let (Some(slot), Some(new)) = (wishes.get_mut(k), fresh.get(k)) {
                            *slot = *new;
                        }
                    }
                    "revised"
                } else {
                    "reconfirmed"
                }
            };

            let mut participants = Vec::with_capacity(4);
            if !dementia || chance(rng, 0.5) {
                participants.push("self");
            }
            let family_joined = !family.is_empty() && chance(rng, 0.85);
            if family_joined {
                participants.push("family");
            }
            let doctor_joined = chance(rng, 0.6);
            if doctor_joined {
                participants.push("family_doctor");
            }
            if chance(rng, if care > 0 { 0.7 } else { 0.1 }) {
                participants.push("care_manager");
            }
            if chance(rng, if has_devices { 0.5 } else { 0.15 }) {
                participants.push("visiting_nurse");
            }
            if chance(rng, 0.05) {
                participants.push("other");
            }
            if participants.is_empty() {
                participants.push("self");
            }
            let mut family_names = Vec::new();
            if family_joined {
                let take = 1 + usize::from(family.len() > 1 && chance(rng, 0.35));
                family_names.extend(family.iter().take(take).map(|s| s.to_string()));
            }

            let [cpr, intubation, transport, nutrition, care_place, death_place] = wishes;
            let physician_instructions = if doctor_joined && cpr == 1 && chance(rng, 0.6) {
                Some(DNAR_INSTRUCTION.to_string())
            } else if doctor_joined && chance(rng, 0.35) {
                Some(pick(rng, PHYSICIAN_INSTRUCTIONS).to_string())
            } else {
                None
            };
            let advance_directive_exists = chance(rng, if cpr == 1 { 0.35 } else { 0.15 });
            let advance_directive_location =
                advance_directive_exists.then(|| pick(rng, DIRECTIVE_LOCATIONS).to_string());
            let own_words = chance(rng, 0.5).then(|| pick(rng, OWN_WORDS).to_string());
            let review_due = if chance(rng, 0.7) {
                let months = if chance(rng, 0.5) { 6 } else { 12 };
                date.checked_add_months(Months::new(months))
            } else {
                None
            };

            out.push(SyntheticDecision {
                kind: kind.to_string(),
                discussed_on: date,
                participants: participants.iter().map(|p| p.to_string()).collect(),
                family_names,
                cpr: at(&WISHES, cpr).to_string(),
                intubation: at(&WISHES, intubation).to_string(),
                hospital_transport: at(&WISHES, transport).to_string(),
                artificial_nutrition: at(&WISHES, nutrition).to_string(),
                preferred_place_of_care: at(&PLACES, care_place).to_string(),
                preferred_place_of_death: at(&PLACES, death_place).to_string(),
                shared_with_family: family_joined || chance(rng, 0.6),
                physician_instructions,
                advance_directive_exists,
                advance_directive_location,
                own_words,
                review_due,
            });
        }
        out
    }

    fn birth_date(&self, rng: &mut Rng8, age: u32) -> NaiveDate {
        let (first, days) = self
            .birth_ranges
            .get((age - MIN_AGE) as usize)
            .copied()
            .unwrap_or((self.today.num_days_from_ce(), 1));
        let offset = rng.random_range(0..days);
        i32::try_from(offset)
            .ok()
            .and_then(|o| first.checked_add(o))
            .and_then(NaiveDate::from_num_days_from_ce_opt)
            .unwrap_or(self.today)
    }

    fn elder_given(&self, rng: &mut Rng8, female: bool, era: usize) -> Name {
        let tables = if female {
            &self.female_given
        } else {
            &self.male_given
        };
        tables.get(era).map(|t| t.sample(rng)).unwrap_or_default()
    }

    fn living_situation(&self, rng: &mut Rng8, age: u32, female: bool, care: usize) -> usize {
        let facility = [0.005, 0.01, 0.015, 0.06, 0.10, 0.30, 0.45, 0.50]
            .get(care)
            .copied()
            .unwrap_or(0.0);
        if chance(rng, facility) {
            return 3;
        }
        let mut alone = if female { 28.0 } else { 17.0 };
        let mut spouse = if female { 33.0 } else { 58.0 };
        let mut family = 30.0;
        if age >= 80 {
            alone *= 1.2;
            spouse *= if female { 0.45 } else { 0.75 };
        }
        if age >= 85 {
            family *= 1.4;
        }
        if age >= 90 {
            spouse *= if female { 0.3 } else { 0.5 };
        }
        let weights = [alone, spouse, family].map(|w: f64| (w * 10.0).round() as u32);
        match pick_weighted(rng, &[weights[0], weights[1], weights[2], 30]) {
            0 => 0,
            1 => 1,
            2 => 2,
            _ => 4,
        }
    }

    fn address(&self, rng: &mut Rng8, living: usize) -> SyntheticAddress {
        let district = self.districts.sample(rng);
        let district_code = self
            .district_codes
            .get(district)
            .cloned()
            .unwrap_or_default();
        let hood = self
            .district_neighbourhoods
            .get(district)
            .and_then(|hoods| hoods.choose(rng))
            .and_then(|&i| self.neighbourhoods.get(i));
        let mut line = String::with_capacity(96);
        line.push_str("北見市");
        let postal_code = match hood {
            Some(hood) => {
                line.push_str(&hood.name);
                if hood.chome > 0 {
                    let _ = write!(
                        line,
                        "{}丁目{}-{}",
                        rng.random_range(1..=hood.chome),
                        rng.random_range(1..=30),
                        rng.random_range(1..=25)
                    );
                } else if chance(rng, 0.5) {
                    let _ = write!(line, "{}番地", rng.random_range(1..1000));
                } else {
                    let _ = write!(
                        line,
                        "{}-{}",
                        rng.random_range(1..1000),
                        rng.random_range(1..=30)
                    );
                }
                hood.postal_code.clone()
            }
            None => "090-0000".to_string(),
        };
        if living == 3 {
            line.push(' ');
            line.push_str(pick(rng, FACILITY_KINDS));
            line.push_str(pick(rng, FACILITY_NAMES));
        } else if chance(rng, 0.18) {
            line.push(' ');
            line.push_str(pick(rng, BUILDINGS));
            let _ = write!(
                line,
                " {}{:02}号室",
                rng.random_range(1..=4),
                rng.random_range(1..=12)
            );
        }
        SyntheticAddress {
            postal_code,
            line,
            district_code,
        }
    }

    /// A landline unique for the first 500,000 indices (an affine bijection
    /// on the 0157-20-0000 … 0157-69-9999 range), then reused like a shared
    /// household line.
    fn landline(&self, index: u64) -> String {
        let n = ((u128::from(index) * 7_919 + u128::from(self.landline_offset)) % 500_000) as u32;
        format!("0157-{}-{:04}", 20 + n / 10_000, n % 10_000)
    }

    /// A mobile number whose 8 digits are unique for the first 10⁸ indices.
    fn mobile(&self, index: u64, rng: &mut Rng8) -> String {
        let n = ((u128::from(index) * 73_939_133 + u128::from(self.mobile_offset)) % 100_000_000)
            as u32;
        let prefix = if chance(rng, 0.55) { "090" } else { "080" };
        format!("{prefix}-{:04}-{:04}", n / 10_000, n % 10_000)
    }

    fn family_doctors(&self, rng: &mut Rng8) -> Vec<SyntheticFamilyDoctor> {
        let count = pick_weighted(rng, &[7, 75, 15, 3]);
        let mut doctors: Vec<SyntheticFamilyDoctor> = Vec::with_capacity(count);
        for _ in 0..count {
            let Some(clinic) = self.clinics.get(self.clinic_weights.sample(rng)) else {
                continue;
            };
            if doctors.iter().any(|d| d.institution == clinic.name) {
                continue;
            }
            let Some((doctor, department)) = clinic.doctors.choose(rng) else {
                continue;
            };
            doctors.push(SyntheticFamilyDoctor {
                institution: clinic.name.clone(),
                doctor: doctor.clone(),
                department: (*department).to_string(),
                phone: clinic.phone.clone(),
            });
        }
        doctors
    }

    fn emergency_contacts(
        &self,
        rng: &mut Rng8,
        surname: Name,
        female: bool,
        era: usize,
        living: usize,
    ) -> Vec<SyntheticEmergencyContact> {
        let count = pick_weighted(rng, &[8, 30, 42, 20]);
        let mut contacts: Vec<SyntheticEmergencyContact> = Vec::with_capacity(count);
        for slot in 0..count {
            let (relationship, kin) = if slot == 0 && living == 1 && chance(rng, 0.75) {
                (if female { "夫" } else { "妻" }, Kin::Spouse)
            } else {
                let mut chosen = None;
                for _ in 0..6 {
                    let Some(&(label, kin, _, repeatable)) = RELATIONS.get(pick_relation(rng))
                    else {
                        continue;
                    };
                    if repeatable || !contacts.iter().any(|c| c.relationship == label) {
                        chosen = Some((label, kin));
                        break;
                    }
                }
                match chosen {
                    Some(choice) => choice,
                    None => continue,
                }
            };
            let (family, given) = self.kin_name(rng, kin, surname, female, era);
            let mut phones = Vec::with_capacity(2);
            if chance(rng, 0.92) {
                phones.push(random_mobile(rng));
            }
            if phones.is_empty() || chance(rng, 0.25) {
                if kin == Kin::Spouse {
                    phones.push(local_landline(rng));
                } else {
                    phones.push(relative_landline(rng));
                }
            }
            let lives_with = living == 2
                && slot == 0
                && matches!(kin, Kin::Son | Kin::Daughter | Kin::DaughterInLaw);
            let notes = if lives_with {
                Some("同居".to_string())
            } else if kin != Kin::Spouse && chance(rng, 0.3) {
                Some(pick(rng, CONTACT_NOTES).to_string())
            } else {
                None
            };
            contacts.push(SyntheticEmergencyContact {
                priority: u8::try_from(contacts.len() + 1).unwrap_or(u8::MAX),
                name: spaced(family.kanji, given.kanji),
                kana: spaced(family.kana, given.kana),
                relationship: relationship.to_string(),
                phones,
                notes,
            });
        }
        contacts
    }

    /// (family, given) name of a relative of the given kind.
    fn kin_name(
        &self,
        rng: &mut Rng8,
        kin: Kin,
        surname: Name,
        female: bool,
        era: usize,
    ) -> (Name, Name) {
        let family_or_other = |rng: &mut Rng8, p_same: f64| {
            if chance(rng, p_same) {
                surname
            } else {
                self.surnames.sample(rng)
            }
        };
        match kin {
            Kin::Spouse => (surname, self.elder_given(rng, !female, era)),
            Kin::Son => (family_or_other(rng, 0.95), self.younger_male.sample(rng)),
            Kin::Daughter => (family_or_other(rng, 0.25), self.younger_female.sample(rng)),
            Kin::DaughterInLaw => (surname, self.younger_female.sample(rng)),
            Kin::SonInLaw => (self.surnames.sample(rng), self.younger_male.sample(rng)),
            Kin::Grandchild => {
                let family = family_or_other(rng, 0.6);
                let given = if chance(rng, 0.5) {
                    self.younger_male.sample(rng)
                } else {
                    self.younger_female.sample(rng)
                };
                (family, given)
            }
            Kin::Brother => (surname, self.elder_given(rng, false, era)),
            Kin::Sister => (family_or_other(rng, 0.2), self.elder_given(rng, true, era)),
            Kin::Nephew => (family_or_other(rng, 0.5), self.younger_male.sample(rng)),
            Kin::Niece => (family_or_other(rng, 0.3), self.younger_female.sample(rng)),
            Kin::NonFamily => {
                let family = self.surnames.sample(rng);
                let given = match pick_weighted(rng, &[1, 1, 1, 1]) {
                    0 => self.younger_male.sample(rng),
                    1 => self.younger_female.sample(rng),
                    2 => self.elder_given(rng, false, era),
                    _ => self.elder_given(rng, true, era),
                };
                (family, given)
            }
        }
    }

    fn medical(&mut self, rng: &mut Rng8, age: u32, female: bool, care: usize) -> SyntheticMedical {
        let mut wanted = pick_weighted(rng, &[8, 20, 25, 22, 14, 7, 4]);
        if care >= 5 {
            wanted += 1;
        }
        if age >= 85 && chance(rng, 0.4) {
            wanted += 1;
        }
        let mut chosen = std::mem::take(&mut self.scratch);
        chosen.clear();
        for _ in 0..wanted * 6 {
            if chosen.len() >= wanted {
                break;
            }
            let i = self.conditions.sample(rng);
            let Some(spec) = CONDITIONS.get(i) else {
                continue;
            };
            let sex_ok = match spec.sex {
                MALE_ONLY => !female,
                FEMALE_ONLY => female,
                _ => true,
            };
            if sex_ok && !chosen.contains(&i) {
                chosen.push(i);
            }
        }

        let mut conditions = Vec::with_capacity(chosen.len());
        let mut medications: Vec<String> = Vec::with_capacity(chosen.len() + 2);
        let mut devices: Vec<String> = Vec::new();
        for spec in chosen.iter().filter_map(|&i| CONDITIONS.get(i)) {
            conditions.push(spec.name.to_string());
            if !spec.medications.is_empty() && chance(rng, 0.9) {
                let first = rng.random_range(0..spec.medications.len());
                let second = (spec.medications.len() > 1 && chance(rng, 0.3)).then(|| {
                    (first + rng.random_range(1..spec.medications.len())) % spec.medications.len()
                });
                for medication in [Some(first), second]
                    .into_iter()
                    .flatten()
                    .filter_map(|k| spec.medications.get(k))
                {
                    if !medications.iter().any(|m| m == medication) {
                        medications.push((*medication).to_string());
                    }
                }
            }
            for &(device, permille) in spec.devices {
                if rng.random_range(0..1000) < permille {
                    add_device(&mut devices, device);
                }
            }
        }
        self.scratch = chosen;
        if care >= 6 {
            for &(device, care_4, care_5) in CARE_DEVICES {
                let permille = if care == 6 { care_4 } else { care_5 };
                if rng.random_range(0..1000) < permille {
                    add_device(&mut devices, device);
                }
            }
        }
        if chance(rng, 0.01) {
            add_device(&mut devices, "other");
        }
        if devices.iter().any(|d| d == "insulin") {
            medications.push(INSULIN_MEDICATION.to_string());
        }

        let allergy_count = pick_weighted(rng, &[72, 20, 6, 2]);
        let mut allergies: Vec<String> = Vec::with_capacity(allergy_count);
        while allergies.len() < allergy_count {
            let allergy = pick(rng, ALLERGIES);
            if !allergies.iter().any(|a| a == allergy) {
                allergies.push(allergy.to_string());
            }
        }

        let notes = if chance(rng, 0.45) {
            let mut note = pick(rng, MEDICAL_NOTES).to_string();
            if chance(rng, 0.2) {
                let second = pick(rng, MEDICAL_NOTES);
                if !note.contains(second) {
                    note.push('。');
                    note.push_str(second);
                }
            }
            Some(note)
        } else {
            None
        };

        SyntheticMedical {
            conditions,
            medications,
            allergies,
            devices_and_procedures: devices,
            notes,
        }
    }
}

fn add_device(devices: &mut Vec<String>, device: &str) {
    if !devices.iter().any(|d| d == device) {
        devices.push(device.to_string());
    }
}

fn build_clinics(
    rng: &mut Rng8,
    surnames: &Weighted<Name>,
    younger_male: &Weighted<Name>,
    younger_female: &Weighted<Name>,
) -> Vec<Clinic> {
    let type_weights: Vec<u32> = CLINIC_TYPES.iter().map(|t| t.2).collect();
    let mut seen = HashSet::new();
    let mut clinics = Vec::with_capacity(CLINIC_COUNT);
    for _ in 0..CLINIC_COUNT * 50 {
        if clinics.len() >= CLINIC_COUNT {
            break;
        }
        let Some(&(suffix, department, _)) = CLINIC_TYPES.get(pick_weighted(rng, &type_weights))
        else {
            continue;
        };
        let owner = surnames.sample(rng);
        let named_after_owner = chance(rng, 0.45);
        let prefix = if named_after_owner {
            owner.kanji
        } else {
            pick(rng, CLINIC_PLACES)
        };
        let name = format!("{prefix}{suffix}");
        if !seen.insert(name.clone()) {
            continue;
        }
        let hospital = department == "*";
        let count = if hospital {
            rng.random_range(3..=6)
        } else {
            rng.random_range(1..=2)
        };
        let doctors = (0..count)
            .map(|k| {
                let family = if k == 0 && named_after_owner {
                    owner
                } else {
                    surnames.sample(rng)
                };
                let given = if chance(rng, 0.8) {
                    younger_male.sample(rng)
                } else {
                    younger_female.sample(rng)
                };
                let department = if hospital {
                    pick(rng, HOSPITAL_DEPARTMENTS)
                } else {
                    department
                };
                (spaced(family.kanji, given.kanji), department)
            })
            .collect();
        clinics.push(Clinic {
            name,
            phone: local_landline(rng),
            doctors,
        });
    }
    clinics
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn districts() -> Vec<(String, f64)> {
        (1..=12)
            .map(|i| (format!("D{i:02}"), f64::from(i % 5 + 1)))
            .collect()
    }

    fn generator(seed: u64) -> Generator {
        Generator::new(seed, date(2026, 4, 1), districts())
    }

    fn is_katakana(s: &str) -> bool {
        !s.is_empty() && s.chars().all(|c| ('ァ'..='ヶ').contains(&c) || c == 'ー')
    }

    #[test]
    fn same_seed_and_index_give_same_person_in_any_order() {
        let mut a = generator(42);
        let mut b = generator(42);
        let forward: Vec<SyntheticPerson> = (0..200).map(|i| a.person(i)).collect();
        let backward: Vec<SyntheticPerson> = (0..200).rev().map(|i| b.person(i)).collect();
        for (i, person) in forward.iter().enumerate() {
            assert_eq!(Some(person), backward.get(199 - i));
        }
        assert_eq!(a.person(1_234_567), generator(42).person(1_234_567));
        let p = a.person(77);
        assert_eq!(a.decisions(77, &p), b.decisions(77, &p));

        let mut c = generator(43);
        let differing = (0..200)
            .filter(|&i| c.person(i) != forward[i as usize])
            .count();
        assert!(differing > 190, "only {differing} of 200 differ");
        // Neighbouring indices differ too.
        assert_ne!(a.person(0), a.person(1));
    }

    #[test]
    fn values_stay_within_closed_sets() {
        let mut g = generator(7);
        let today = g.today();
        let mut decisions_seen = 0;
        for i in 0..20_000 {
            let p = g.person(i);
            assert!(SEXES.contains(&p.sex.as_str()), "{}", p.sex);
            assert!(LIVING_SITUATIONS.contains(&p.living_situation.as_str()));
            assert!(CARE_LEVELS.contains(&p.care_level.as_str()));
            for d in &p.medical.devices_and_procedures {
                assert!(DEVICES_AND_PROCEDURES.contains(&d.as_str()), "{d}");
            }
            assert!(CONSENT_BY.contains(&p.consent.by.as_str()));
            assert_eq!(p.consent.by == "proxy", p.consent.proxy_name.is_some());
            assert_eq!(
                p.consent.by == "proxy",
                p.consent.proxy_relationship.is_some()
            );
            assert!(p.consent.obtained_on <= today);
            assert!(!p.phones.is_empty());
            assert!(p.address.line.starts_with("北見市"));
            assert!(g.district_codes().contains(&p.address.district_code));
            let postal: Vec<char> = p.address.postal_code.chars().collect();
            assert_eq!(postal.len(), 8);
            assert_eq!(postal.get(3), Some(&'-'));
            for (k, c) in p.emergency_contacts.iter().enumerate() {
                assert_eq!(usize::from(c.priority), k + 1);
                assert!(!c.phones.is_empty());
            }
            for phone in p
                .phones
                .iter()
                .chain(p.family_doctors.iter().map(|d| &d.phone))
            {
                assert!(
                    phone.chars().all(|c| c.is_ascii_digit() || c == '-'),
                    "{phone}"
                );
                let expected = if phone.starts_with("0157") { 12 } else { 13 };
                assert_eq!(phone.len(), expected, "{phone}");
            }

            let decisions = g.decisions(i, &p);
            decisions_seen += decisions.len();
            for (k, d) in decisions.iter().enumerate() {
                assert_eq!(d.kind == "new", k == 0);
                assert!(DECISION_KINDS.contains(&d.kind.as_str()));
                assert!(!d.participants.is_empty());
                for participant in &d.participants {
                    assert!(PARTICIPANTS.contains(&participant.as_str()));
                }
                assert_eq!(
                    d.participants.iter().any(|x| x == "family"),
                    !d.family_names.is_empty()
                );
                for w in [
                    &d.cpr,
                    &d.intubation,
                    &d.hospital_transport,
                    &d.artificial_nutrition,
                ] {
                    assert!(WISHES.contains(&w.as_str()));
                }
                assert!(PLACES.contains(&d.preferred_place_of_care.as_str()));
                assert!(PLACES.contains(&d.preferred_place_of_death.as_str()));
                assert_eq!(
                    d.advance_directive_exists,
                    d.advance_directive_location.is_some()
                );
                assert!(d.discussed_on <= today);
                if let Some(due) = d.review_due {
                    assert!(due > d.discussed_on);
                }
                if let Some(previous) = k.checked_sub(1).and_then(|j| decisions.get(j)) {
                    assert!(previous.discussed_on < d.discussed_on);
                }
            }
        }
        assert!(decisions_seen > 5_000);
    }

    #[test]
    fn kana_is_full_width_katakana() {
        let mut g = generator(11);
        for i in 0..20_000 {
            let p = g.person(i);
            assert!(is_katakana(&p.family_name_kana), "{}", p.family_name_kana);
            assert!(is_katakana(&p.given_name_kana), "{}", p.given_name_kana);
            for c in &p.emergency_contacts {
                let parts: Vec<&str> = c.kana.split(' ').collect();
                assert_eq!(parts.len(), 2, "{}", c.kana);
                assert!(parts.iter().all(|s| is_katakana(s)), "{}", c.kana);
                assert_eq!(c.name.split(' ').count(), 2, "{}", c.name);
            }
        }
    }

    #[test]
    fn ages_are_65_to_105_and_skew_older_female() {
        for today in [date(2026, 4, 1), date(2028, 2, 29), date(2027, 2, 28)] {
            let mut g = Generator::new(3, today, districts());
            let mut women = 0u32;
            let mut old = 0u32;
            let mut old_women = 0u32;
            let mut min_age = i32::MAX;
            let mut max_age = i32::MIN;
            let n = 30_000;
            for i in 0..n {
                let p = g.person(i);
                let age = age_on(p.birth_date, today);
                assert!((65..=105).contains(&age), "age {age} born {}", p.birth_date);
                min_age = min_age.min(age);
                max_age = max_age.max(age);
                let female = p.sex == "female";
                women += u32::from(female);
                if age >= 90 {
                    old += 1;
                    old_women += u32::from(female);
                }
            }
            assert_eq!(min_age, 65);
            assert!(max_age >= 100);
            let share = f64::from(women) / n as f64;
            assert!((0.53..0.62).contains(&share), "women {share}");
            let old_share = f64::from(old_women) / f64::from(old);
            assert!(old_share > 0.65, "women among 90+ {old_share}");
        }
        // The precomputed birth ranges hit the exact age boundaries.
        let today = date(2028, 2, 29);
        let g = Generator::new(3, today, Vec::new());
        for (k, (first, days)) in g.birth_ranges.iter().enumerate() {
            let age = MIN_AGE as i32 + k as i32;
            let earliest = NaiveDate::from_num_days_from_ce_opt(*first).unwrap_or_default();
            let latest =
                NaiveDate::from_num_days_from_ce_opt(first + *days as i32 - 1).unwrap_or_default();
            assert_eq!(age_on(earliest, today), age);
            assert_eq!(age_on(latest, today), age);
            assert_eq!(
                age_on(earliest.pred_opt().unwrap_or_default(), today),
                age + 1
            );
            assert_eq!(
                age_on(latest.succ_opt().unwrap_or_default(), today),
                age - 1
            );
        }
    }

    #[test]
    fn namesakes_occur_in_200k_sample() {
        let mut g = generator(2026);
        let mut by_kana: HashMap<(String, String), u32> = HashMap::new();
        let mut by_name_and_birth: HashMap<(String, String, NaiveDate), u32> = HashMap::new();
        for i in 0..200_000 {
            let p = g.person(i);
            *by_name_and_birth
                .entry((p.family_name.clone(), p.given_name.clone(), p.birth_date))
                .or_default() += 1;
            *by_kana
                .entry((p.family_name_kana, p.given_name_kana))
                .or_default() += 1;
        }
        let shared = by_kana.values().filter(|&&c| c >= 2).count();
        let largest = by_kana.values().copied().max().unwrap_or(0);
        assert!(shared > 1_000, "{shared} kana pairs shared");
        assert!(largest >= 20, "largest namesake group {largest}");
        assert!(largest < 2_000, "largest namesake group {largest}");
        let same_birth = by_name_and_birth.values().filter(|&&c| c >= 2).count();
        assert!(same_birth >= 1, "no same name and birth date");
    }

    #[test]
    fn tables_are_large_and_varied() {
        let g = generator(1);
        let surnames: HashSet<&str> = g.surnames.items.iter().map(|n| n.kanji).collect();
        assert!(surnames.len() >= 300, "{}", surnames.len());
        for variant in ["髙橋", "齋藤", "渡邊", "山﨑", "濵田"] {
            assert!(surnames.contains(variant), "{variant}");
        }
        let unique = |tables: &[Weighted<Name>; 3]| -> HashSet<&'static str> {
            tables
                .iter()
                .flat_map(|t| t.items.iter().map(|n| n.kanji))
                .collect()
        };
        assert!(unique(&g.female_given).len() >= 120);
        assert!(unique(&g.male_given).len() >= 120);
        let readings: HashSet<&str> = g
            .female_given
            .iter()
            .chain(g.male_given.iter())
            .flat_map(|t| t.items.iter().map(|n| n.kana))
            .chain(g.surnames.items.iter().map(|n| n.kana))
            .collect();
        for reading in [
            "ヨウコ",
            "ユウジ",
            "コウイチ",
            "ショウゾウ",
            "オオノ",
            "キョウコ",
            "ショウイチ",
            "リュウ",
        ] {
            assert!(readings.contains(reading), "{reading}");
        }
        assert!(readings.iter().all(|r| is_katakana(r)));
        // Zipf-like: 佐藤 is far more common than a name near the tail.
        let weight = |kanji: &str| {
            let i = g.surnames.items.iter().position(|n| n.kanji == kanji);
            i.map(|i| {
                let previous = i.checked_sub(1).and_then(|j| g.surnames.cumulative.get(j));
                g.surnames.cumulative.get(i).copied().unwrap_or(0) - previous.copied().unwrap_or(0)
            })
        };
        assert!(weight("佐藤").unwrap_or(0) > 20 * weight("勝又").unwrap_or(u64::MAX / 100));
        assert_eq!(g.clinics.len(), CLINIC_COUNT);
    }

    #[test]
    fn population_shares_are_plausible() {
        let mut g = generator(99);
        let n = 20_000u32;
        let mut no_contact = 0u32;
        let mut with_decisions = 0u32;
        let mut district_counts: HashMap<String, u32> = HashMap::new();
        let mut mobiles = HashSet::new();
        for i in 0..u64::from(n) {
            let p = g.person(i);
            no_contact += u32::from(p.emergency_contacts.is_empty());
            with_decisions += u32::from(!g.decisions(i, &p).is_empty());
            *district_counts
                .entry(p.address.district_code.clone())
                .or_default() += 1;
            for phone in p.phones.iter().filter(|x| !x.starts_with("0157")) {
                assert!(mobiles.insert(phone.get(4..).unwrap_or_default().to_string()));
            }
        }
        let no_contact = f64::from(no_contact) / f64::from(n);
        assert!(
            (0.06..0.10).contains(&no_contact),
            "no contact {no_contact}"
        );
        let decided = f64::from(with_decisions) / f64::from(n);
        assert!((0.33..0.47).contains(&decided), "decisions {decided}");
        // D04 and D09 weigh 5, D05 and D10 weigh 1.
        let count = |code: &str| f64::from(district_counts.get(code).copied().unwrap_or(0));
        assert!(count("D04") > 3.5 * count("D05"));
        assert!(count("D09") > 3.5 * count("D10"));
    }

    #[test]
    fn serializes_like_the_registrant_json() {
        let mut g = generator(5);
        let p = g.person(12);
        let value = serde_json::to_value(&p).unwrap_or_default();
        let birth = value["birth_date"].as_str().unwrap_or_default();
        assert_eq!(birth, p.birth_date.to_string());
        assert_eq!(birth.len(), 10);
        for key in [
            "family_name",
            "given_name",
            "family_name_kana",
            "given_name_kana",
            "sex",
            "address",
            "phones",
            "living_situation",
            "care_level",
            "family_doctors",
            "emergency_contacts",
            "medical",
            "consent",
        ] {
            assert!(value.get(key).is_some(), "{key}");
        }
        assert!(value["address"]["district_code"].is_string());
        assert!(value["consent"]["obtained_on"].is_string());
        let decisions = (0..50)
            .map(|i| {
                let p = g.person(i);
                g.decisions(i, &p)
            })
            .find(|d| !d.is_empty())
            .unwrap_or_default();
        let json = serde_json::to_value(&decisions).unwrap_or_default();
        assert!(json[0]["discussed_on"].is_string());
    }

    #[test]
    fn odd_district_lists_are_handled() {
        let today = date(2026, 4, 1);
        let mut empty = Generator::new(1, today, Vec::new());
        assert_eq!(empty.person(0).address.district_code, "D01");
        let zero = vec![("A".to_string(), 0.0), ("B".to_string(), f64::NAN)];
        let mut g = Generator::new(1, today, zero);
        let codes: HashSet<String> = (0..200)
            .map(|i| g.person(i).address.district_code)
            .collect();
        assert_eq!(codes.len(), 2);
        let many: Vec<(String, f64)> = (1..=150).map(|i| (format!("D{i:03}"), 1.0)).collect();
        let mut g = Generator::new(1, today, many);
        for i in 0..500 {
            let p = g.person(i);
            assert!(p.address.line.len() > "北見市".len());
        }
    }

    /// Rough scale check: `cargo test --release -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn million_persons() {
        let mut g = generator(2026);
        let start = std::time::Instant::now();
        let mut by_name_and_birth: HashMap<(String, String, NaiveDate), u32> = HashMap::new();
        let mut decisions = 0usize;
        for i in 0..1_000_000 {
            let p = g.person(i);
            decisions += g.decisions(i, &p).len();
            *by_name_and_birth
                .entry((p.family_name, p.given_name, p.birth_date))
                .or_default() += 1;
        }
        let same = by_name_and_birth.values().filter(|&&c| c >= 2).count();
        println!(
            "1,000,000 persons (+{decisions} decisions) in {:?}; {same} groups share name and birth date",
            start.elapsed()
        );
        assert!(same > 0);
    }
}
