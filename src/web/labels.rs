//! Japanese words for the closed value sets, as the pages show them. The crew
//! summary's wishes are spelled out in full so that nobody has to decode them.

use crate::domain::emergency::Outcome;
use crate::domain::{
    CareLevel, DecisionKind, Device, LivingSituation, OrganizationKind, Place, RegistrantStatus,
    Role, Sex, Wish,
};

pub fn sex(s: Sex) -> &'static str {
    match s {
        Sex::Male => "男性",
        Sex::Female => "女性",
        Sex::Other => "その他",
        Sex::Unknown => "不明",
    }
}

pub fn role(r: Role) -> &'static str {
    match r {
        Role::CareManager => "ケアマネジャー",
        Role::Paramedic => "救急隊",
        Role::Admin => "管理者",
    }
}

pub fn organization_kind(k: OrganizationKind) -> &'static str {
    match k {
        OrganizationKind::CareOffice => "居宅介護支援事業所",
        OrganizationKind::Clinic => "診療所",
        OrganizationKind::Hospital => "病院",
        OrganizationKind::Facility => "施設",
        OrganizationKind::FireDepartment => "消防",
        OrganizationKind::City => "市",
    }
}

pub fn living_situation(l: LivingSituation) -> &'static str {
    match l {
        LivingSituation::Alone => "独居",
        LivingSituation::WithSpouse => "夫婦のみ",
        LivingSituation::WithFamily => "家族と同居",
        LivingSituation::Facility => "施設入所",
        LivingSituation::Other => "その他",
    }
}

pub fn care_level(c: CareLevel) -> &'static str {
    match c {
        CareLevel::None => "なし",
        CareLevel::Support1 => "要支援1",
        CareLevel::Support2 => "要支援2",
        CareLevel::Care1 => "要介護1",
        CareLevel::Care2 => "要介護2",
        CareLevel::Care3 => "要介護3",
        CareLevel::Care4 => "要介護4",
        CareLevel::Care5 => "要介護5",
    }
}

pub fn device(d: Device) -> &'static str {
    match d {
        Device::Pacemaker => "ペースメーカー",
        Device::Icd => "植込み型除細動器（ICD）",
        Device::HomeOxygen => "在宅酸素",
        Device::TubeFeeding => "経管栄養",
        Device::Suction => "吸引",
        Device::Dialysis => "透析",
        Device::Insulin => "インスリン",
        Device::UrinaryCatheter => "尿道カテーテル",
        Device::Tracheostomy => "気管切開",
        Device::Ventilator => "人工呼吸器",
        Device::Stoma => "ストーマ",
        Device::Other => "その他の医療処置",
    }
}

pub fn decision_kind(k: DecisionKind) -> &'static str {
    match k {
        DecisionKind::New => "新規",
        DecisionKind::Revised => "変更",
        DecisionKind::Reconfirmed => "再確認（変更なし）",
    }
}

pub fn place(p: Place) -> &'static str {
    match p {
        Place::Home => "自宅",
        Place::Facility => "施設",
        Place::Hospital => "病院",
        Place::Undecided => "未定",
    }
}

pub fn wish(w: Wish) -> &'static str {
    match w {
        Wish::Wanted => "希望する",
        Wish::NotWanted => "希望しない",
        Wish::Undecided => "未定",
    }
}

pub fn status(s: RegistrantStatus) -> &'static str {
    match s {
        RegistrantStatus::Active => "登録中",
        RegistrantStatus::Withdrawn => "登録取消",
        RegistrantStatus::Deceased => "死亡",
    }
}

pub fn outcome(o: Outcome) -> &'static str {
    match o {
        Outcome::Match => "一致",
        Outcome::Candidates => "候補あり",
        Outcome::NoMatch => "該当なし",
    }
}

/// One treatment wish as the crew reads it: "心肺蘇生を希望しない".
pub fn wish_sentence(treatment: &str, w: Wish) -> String {
    match w {
        Wish::Wanted => format!("{treatment}を希望する"),
        Wish::NotWanted => format!("{treatment}を希望しない"),
        Wish::Undecided => format!("{treatment}：未定（決めていない）"),
    }
}

/// `1940年3月2日（昭和15年）`.
pub fn date_with_era(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let (y, m, day) = (d.year(), d.month(), d.day());
    let ymd = (y, m, day);
    let era = if ymd >= (2019, 5, 1) {
        Some(("令和", 2018))
    } else if ymd >= (1989, 1, 8) {
        Some(("平成", 1988))
    } else if ymd >= (1926, 12, 25) {
        Some(("昭和", 1925))
    } else if ymd >= (1912, 7, 30) {
        Some(("大正", 1911))
    } else if ymd >= (1868, 1, 25) {
        Some(("明治", 1867))
    } else {
        None
    };
    match era {
        Some((name, offset)) if y - offset == 1 => format!("{y}年{m}月{day}日（{name}元年）"),
        Some((name, offset)) => format!("{y}年{m}月{day}日（{name}{}年）", y - offset),
        None => format!("{y}年{m}月{day}日"),
    }
}

/// `2026年11月24日`.
pub fn date(d: chrono::NaiveDate) -> String {
    d.format("%Y年%-m月%-d日").to_string()
}

/// A UTC timestamp shown in the configured zone: `2026-11-24 14:05`.
pub fn time(t: chrono::NaiveDateTime, offset: chrono::FixedOffset) -> String {
    (t.and_utc().with_timezone(&offset))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// Digits and `+` of a phone number, for a `tel:` link.
pub fn tel_href(phone: &str) -> String {
    let digits: String = phone
        .chars()
        .filter_map(|c| {
            let c = match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32)?,
                other => other,
            };
            (c.is_ascii_digit() || c == '+').then_some(c)
        })
        .collect();
    format!("tel:{digits}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn eras_are_named_from_their_first_day() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default();
        assert_eq!(date_with_era(d(1940, 3, 2)), "1940年3月2日（昭和15年）");
        assert_eq!(date_with_era(d(1989, 1, 7)), "1989年1月7日（昭和64年）");
        assert_eq!(date_with_era(d(1989, 1, 8)), "1989年1月8日（平成元年）");
        assert_eq!(date_with_era(d(2019, 5, 1)), "2019年5月1日（令和元年）");
    }

    #[test]
    fn wishes_are_whole_sentences() {
        assert_eq!(
            wish_sentence("心肺蘇生", Wish::NotWanted),
            "心肺蘇生を希望しない"
        );
        assert_eq!(
            wish_sentence("救急搬送", Wish::Wanted),
            "救急搬送を希望する"
        );
    }

    #[test]
    fn tel_links_keep_only_digits() {
        assert_eq!(tel_href("0157-23-０１２３"), "tel:0157230123");
        assert_eq!(tel_href("+81 90 1111 2222"), "tel:+819011112222");
    }
}
