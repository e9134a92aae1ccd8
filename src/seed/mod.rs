//! Synthetic population for demos and benchmarks, and its bulk loader
//! (`eir seed --synthetic N [--seed S]`).
//!
//! Each person goes through the same validation and key computation as a record
//! registered over the API; rows are then written with multi-row inserts on the
//! concrete backend (the multi-backend connection has no batch insert), in
//! transactions of a few thousand registrants, while a second thread generates
//! the next batch.

pub mod synthetic;

use std::sync::mpsc;
use std::time::Instant;

use chrono::NaiveDate;
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::care_decisions::CareDecisionRow;
use crate::db::registrants::RegistrantRow;
use crate::db::schema::{care_decisions, registrant_keys, registrants};
use crate::db::{self, audit, districts, organizations, DbConn, DbPool};
use crate::domain::care_decision::{AdvanceDirective, CareDecisionInput, Participants, Wishes};
use crate::domain::district_csv::District;
use crate::domain::registrant::RegistrantInput;
use crate::domain::{DecisionKind, Place, Wish};
use crate::error::ApiError;
use crate::matching;
use crate::service::tx;
use synthetic::{Generator, SyntheticDecision};

/// Registrants per transaction.
const BATCH: u64 = 5000;

/// Districts loaded when the database has none (uneven, like a real city).
const DEFAULT_DISTRICTS: &[(&str, &str, i64, i64)] = &[
    ("D01", "北見中央", 32000, 9800),
    ("D02", "北見東", 21000, 6900),
    ("D03", "北見西", 18000, 5200),
    ("D04", "北見南", 15000, 4900),
    ("D05", "北見北", 12000, 4100),
    ("D06", "端野", 5000, 1900),
    ("D07", "留辺蘂", 7000, 3100),
    ("D08", "常呂", 4000, 1700),
    ("D09", "相内", 3000, 1200),
    ("D10", "上常呂", 2000, 900),
    ("D11", "仁頃", 1500, 700),
    ("D12", "温根湯", 1200, 600),
];

/// What a seed run did.
#[derive(Debug, Clone)]
pub struct SeedReport {
    pub registrants: u64,
    pub keys: u64,
    pub decisions: u64,
    pub skipped_invalid: u64,
    pub seconds: f64,
}

#[derive(Insertable)]
#[diesel(table_name = registrant_keys)]
struct KeyRow {
    key: String,
    registrant_id: String,
}

struct Batch {
    registrants: Vec<RegistrantRow>,
    keys: Vec<KeyRow>,
    decisions: Vec<CareDecisionRow>,
    skipped: u64,
}

fn wish(s: &str) -> Wish {
    Wish::parse(s).unwrap_or(Wish::Undecided)
}

fn place(s: &str) -> Place {
    Place::parse(s).unwrap_or(Place::Undecided)
}

fn decision_input(d: &SyntheticDecision) -> CareDecisionInput {
    let has = |p: &str| d.participants.iter().any(|x| x == p);
    CareDecisionInput {
        kind: DecisionKind::parse(&d.kind).unwrap_or(DecisionKind::New),
        discussed_on: d.discussed_on,
        participants: Participants {
            person: has("self"),
            family: d.family_names.clone(),
            family_doctor: has("family_doctor"),
            care_manager: has("care_manager"),
            visiting_nurse: has("visiting_nurse"),
            other: if has("other") {
                vec!["その他".into()]
            } else {
                Vec::new()
            },
        },
        wishes: Wishes {
            cpr: wish(&d.cpr),
            intubation: wish(&d.intubation),
            hospital_transport: wish(&d.hospital_transport),
            artificial_nutrition: wish(&d.artificial_nutrition),
        },
        preferred_place_of_care: place(&d.preferred_place_of_care),
        preferred_place_of_death: place(&d.preferred_place_of_death),
        shared_with_family: d.shared_with_family,
        physician_instructions: d.physician_instructions.clone(),
        advance_directive: AdvanceDirective {
            exists: d.advance_directive_exists,
            location: d.advance_directive_location.clone(),
        },
        own_words: d.own_words.clone(),
        review_due: d.review_due,
    }
}

/// A unique card code per index within a run: an odd multiplier is a bijection
/// on 40 bits, so two indices never share a code.
fn card_code(run_offset: u64, index: u64) -> String {
    let bits =
        run_offset.wrapping_add(index.wrapping_mul(0x9E37_79B9_7F4A_7C15 | 1)) & ((1 << 40) - 1);
    matching::card::format_card_code(&matching::card::generate_card_code(bits.to_le_bytes()))
}

struct Context {
    generator: Generator,
    today: NaiveDate,
    /// Seeded organizations, each with one care manager.
    organizations: Vec<(Uuid, Uuid)>,
    run_offset: u64,
}

fn build_batch(ctx: &mut Context, from: u64, to: u64) -> Batch {
    let mut b = Batch {
        registrants: Vec::new(),
        keys: Vec::new(),
        decisions: Vec::new(),
        skipped: 0,
    };
    let now = db::now();
    for index in from..to {
        let person = ctx.generator.person(index);
        let input = serde_json::to_value(&person)
            .and_then(serde_json::from_value::<RegistrantInput>)
            .map_err(|e| e.to_string())
            .and_then(|i| i.validate(ctx.today).map_err(|e| format!("{e:?}")));
        let Ok(input) = input else {
            b.skipped += 1;
            continue;
        };
        let id = Uuid::new_v4();
        let (org, user) =
            ctx.organizations[usize::try_from(index).unwrap_or(0) % ctx.organizations.len()];
        let Ok(row) =
            RegistrantRow::new(id, card_code(ctx.run_offset, index), org, user, &input, now)
        else {
            b.skipped += 1;
            continue;
        };
        if let Ok(fields) = row.person_fields() {
            for key in matching::registrant_keys(&fields) {
                b.keys.push(KeyRow {
                    key,
                    registrant_id: row.id.clone(),
                });
            }
        }
        for (seq, d) in ctx.generator.decisions(index, &person).iter().enumerate() {
            let entry = decision_input(d);
            let Ok(body) = serde_json::to_string(&entry) else {
                continue;
            };
            b.decisions.push(CareDecisionRow {
                id: Uuid::new_v4().to_string(),
                registrant_id: row.id.clone(),
                seq: i32::try_from(seq + 1).unwrap_or(1),
                kind: entry.kind.as_str().to_owned(),
                discussed_on: entry.discussed_on,
                organization_id: org.to_string(),
                recorded_by: user.to_string(),
                recorded_at: entry.discussed_on.and_hms_opt(10, 0, 0).unwrap_or(now),
                review_due: entry.review_due,
                shared_with_family: entry.shared_with_family,
                body,
            });
        }
        b.registrants.push(row);
    }
    b
}

/// Writes one batch with multi-row inserts on the concrete backend.
fn write_batch(conn: &mut DbConn, b: &Batch) -> QueryResult<()> {
    macro_rules! write_all {
        ($c:expr, $reg:expr, $key:expr, $dec:expr) => {{
            for chunk in b.registrants.chunks($reg) {
                diesel::insert_into(registrants::table)
                    .values(chunk)
                    .execute($c)?;
            }
            for chunk in b.keys.chunks($key) {
                diesel::insert_into(registrant_keys::table)
                    .values(chunk)
                    .execute($c)?;
            }
            for chunk in b.decisions.chunks($dec) {
                diesel::insert_into(care_decisions::table)
                    .values(chunk)
                    .execute($c)?;
            }
        }};
    }
    // Chunk sizes keep each statement under the backend's bind-parameter limit
    // (SQLite 32766, PostgreSQL 65535).
    match conn {
        DbConn::Sqlite(c) => c.transaction(|c| {
            write_all!(c, 1000, 10000, 2500);
            Ok(())
        }),
        DbConn::Postgres(c) => c.transaction(|c| {
            write_all!(c, 2500, 30000, 5000);
            Ok(())
        }),
    }
}

/// Registration is skewed: districts listed first register more per head.
pub fn district_weights(list: &[District]) -> Vec<(String, f64)> {
    list.iter()
        .enumerate()
        .map(|(i, d)| {
            (
                d.code.clone(),
                d.population_65plus as f64 / (1.0 + i as f64 * 0.15),
            )
        })
        .collect()
}

/// Prepares districts and organizations, each with one care manager.
/// District weights for the generator, and (organization, care manager) pairs.
type Prepared = (Vec<(String, f64)>, Vec<(Uuid, Uuid)>);

fn prepare(conn: &mut DbConn) -> Result<Prepared, String> {
    let err = |e: diesel::result::Error| e.to_string();
    let mut list = districts::list(conn).map_err(err)?;
    if list.is_empty() {
        list = DEFAULT_DISTRICTS
            .iter()
            .map(|(code, name, total, older)| District {
                code: (*code).into(),
                name: (*name).into(),
                population_total: *total,
                population_65plus: *older,
            })
            .collect();
        districts::replace_all(conn, &list).map_err(err)?;
    }
    let weights = district_weights(&list);
    let now = db::now();
    let mut orgs = Vec::new();
    for i in 1..=20 {
        let id = Uuid::new_v4();
        let district = list.get((i - 1) % list.len()).map(|d| d.code.clone());
        organizations::insert(
            conn,
            &organizations::OrganizationRow {
                id: id.to_string(),
                kind: if i % 5 == 0 {
                    "facility"
                } else {
                    "care_office"
                }
                .into(),
                name: format!("合成データ居宅介護支援事業所{i:02}"),
                district_code: district,
                active: true,
                created_at: now,
                updated_at: now,
            },
        )
        .map_err(err)?;
        // A care manager who cannot log in (random password, never shown).
        let user = Uuid::new_v4();
        let hash = crate::auth::password::hash(&crate::auth::password::generate())?;
        crate::db::users::insert(
            conn,
            &crate::db::users::UserRow {
                id: user.to_string(),
                organization_id: id.to_string(),
                role: "care_manager".into(),
                login: format!("seed.{}.{i:02}", &id.simple().to_string()[..8]),
                password_hash: hash,
                display_name: format!("合成データ担当{i:02}"),
                active: true,
                failed_logins: 0,
                locked_until: None,
                password_changed_at: now,
                created_at: now,
                updated_at: now,
            },
        )
        .map_err(err)?;
        orgs.push((id, user));
    }
    Ok((weights, orgs))
}

/// Loads `n` synthetic registrants (seeded by `seed`), printing progress.
pub fn load(pool: &DbPool, n: u64, seed: u64, today: NaiveDate) -> Result<SeedReport, String> {
    let started = Instant::now();
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    if let DbConn::Sqlite(_) = &mut *conn {
        use diesel::connection::SimpleConnection;
        // A bulk load that is simply re-run if interrupted: no fsync per batch.
        conn.batch_execute("PRAGMA cache_size = -524288; PRAGMA synchronous = OFF")
            .map_err(|e| e.to_string())?;
    }
    let (weights, organizations) = tx::write(&mut conn, None, |tx| {
        prepare(tx).map_err(ApiError::internal)
    })
    .map_err(|e| e.to_string())?;
    let mut ctx = Context {
        generator: Generator::new(seed, today, weights),
        today,
        organizations,
        run_offset: rand::random::<u64>(),
    };
    let (tx, rx) = mpsc::sync_channel::<Batch>(2);
    let producer = std::thread::spawn(move || {
        let mut from = 0;
        while from < n {
            let to = (from + BATCH).min(n);
            if tx.send(build_batch(&mut ctx, from, to)).is_err() {
                break;
            }
            from = to;
        }
    });
    let mut report = SeedReport {
        registrants: 0,
        keys: 0,
        decisions: 0,
        skipped_invalid: 0,
        seconds: 0.0,
    };
    let mut next_report = 100_000;
    for batch in rx {
        write_batch(&mut conn, &batch).map_err(|e| format!("seed batch failed: {e}"))?;
        report.registrants += batch.registrants.len() as u64;
        report.keys += batch.keys.len() as u64;
        report.decisions += batch.decisions.len() as u64;
        report.skipped_invalid += batch.skipped;
        if report.registrants >= next_report {
            eprintln!(
                "  {} registrants ({:.0} s)",
                report.registrants,
                started.elapsed().as_secs_f64()
            );
            next_report += 100_000;
        }
    }
    producer
        .join()
        .map_err(|_| "generator thread failed".to_owned())?;
    tx::write(&mut conn, None, |tx| {
        db::care_decisions::refresh_current(tx)?;
        // The keys were written directly: count the names they embed.
        db::name_counts::rebuild(tx)?;
        db::name_counts::mark_current(tx)?;
        tx.audit(audit::Event {
            action: "seed.synthetic",
            detail: Some(format!("registrants={} seed={seed}", report.registrants)),
            ..Default::default()
        })?;
        Ok(())
    })
    .map_err(|e| e.to_string())?;
    // Fresh statistics for the planners after a bulk load: without them SQLite
    // picks poor indexes for the statistics queries.
    {
        use diesel::connection::SimpleConnection;
        conn.batch_execute("ANALYZE").map_err(|e| e.to_string())?;
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}
