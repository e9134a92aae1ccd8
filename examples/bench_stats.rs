//! Benchmark of the statistics endpoints' queries on a large database.
//!
//! ```sh
//! cargo run --release --example bench_stats -- --database-url /tmp/bench.sqlite3
//! cargo run --release --example bench_stats -- --database-url postgres://postgres@127.0.0.1:5432/test
//! ```
//!
//! Fills a fresh database with SQL alone (SQLite: recursive CTEs in one
//! transaction; PostgreSQL: `generate_series`, in a new schema dropped at the end):
//! `--registrants` (default 1,000,000) spread unevenly over 30 districts, ~44% of
//! them with care decisions, and `--lookups` (default 1,000,000) over twelve months,
//! districts and 20 units. Only the columns statistics read are realistic; the
//! other columns are filler. Builds the hit-rate roll-up from the lookups (as a
//! first start after the roll-up's migration does), then times each endpoint's work — the functions in
//! `eir::stats::load` the handlers call — `--runs` times (default 5) and prints the
//! median and maximum.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use clap::Parser;
use diesel::connection::SimpleConnection;
use diesel::Connection;

use eir::db::{self, DatabaseTarget, DbConn};
use eir::stats::load::{self, GroupBy};
use eir::stats::period::Period;
use eir::stats::report::PeriodOut;

#[derive(Parser)]
struct Args {
    /// A SQLite file path (must not exist) or a postgres:// URL (a new schema is used).
    #[arg(long)]
    database_url: String,
    #[arg(long, default_value_t = 1_000_000)]
    registrants: u64,
    #[arg(long, default_value_t = 1_000_000)]
    lookups: u64,
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Keep the PostgreSQL schema (printed) for a closer look instead of dropping it.
    #[arg(long)]
    keep: bool,
}

const OFFICES: u64 = 200;
const UNITS: u64 = 20;
const DISTRICTS: u64 = 30;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let (url, schema) = match DatabaseTarget::parse(&args.database_url)? {
        DatabaseTarget::Postgres(base) => {
            let schema = format!("bench_{}", uuid::Uuid::new_v4().simple());
            let mut c = diesel::PgConnection::establish(&base)?;
            c.batch_execute(&format!("CREATE SCHEMA {schema}"))?;
            let sep = if base.contains('?') { '&' } else { '?' };
            (
                format!("{base}{sep}options=-csearch_path%3D{schema}"),
                Some((base, schema)),
            )
        }
        DatabaseTarget::Sqlite(path) => {
            if path.exists() {
                return Err(format!("{} exists: give a new file", path.display()).into());
            }
            (args.database_url.clone(), None)
        }
    };
    let result = run(&args, &url);
    if let Some((base, schema)) = schema {
        if args.keep {
            println!("kept schema {schema}");
            return result;
        }
        let mut c = diesel::PgConnection::establish(&base)?;
        c.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))?;
    }
    result
}

fn run(args: &Args, url: &str) -> Result<(), Box<dyn std::error::Error>> {
    let target = DatabaseTarget::parse(url)?;
    let pool = db::build_pool(&target, 2)?;
    let mut conn = pool.get()?;
    db::run_migrations(&mut conn)?;
    let t = Instant::now();
    fill(&mut conn, args.registrants, args.lookups)?;
    println!(
        "filled {} registrants, {} lookups in {:.1} s ({})",
        args.registrants,
        args.lookups,
        t.elapsed().as_secs_f64(),
        target.describe()
    );
    let tz = chrono::FixedOffset::east_opt(9 * 3600).ok_or("offset")?;
    // What `eir serve` does at start when the roll-up is missing (as after the
    // migration that introduced it).
    let t = Instant::now();
    db::hit_rollup::ensure(&mut conn, tz)?;
    println!(
        "built the hit-rate roll-up from the lookups in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let counts = count(&mut conn)?;
    println!("rows: {counts}");

    let day = |s: &str| s.parse::<NaiveDate>();
    let today = day("2026-11-24")?;
    let p = Period::resolve(
        Some(day("2025-12-01")?),
        Some(day("2026-11-30")?),
        today,
        tz,
    )
    .map_err(|e| e.message)?;
    let out = || PeriodOut::new(&p, "Asia/Tokyo");
    let conn = &mut *conn;
    let mut report = |name: &str, f: &mut dyn FnMut(&mut DbConn) -> diesel::QueryResult<()>| {
        let mut times: Vec<Duration> = Vec::new();
        for _ in 0..args.runs {
            let t = Instant::now();
            if let Err(e) = f(conn) {
                println!("{name}: failed: {e}");
                return;
            }
            times.push(t.elapsed());
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{name:<28} median {:>8.1} ms   max {:>8.1} ms",
            ms(times[times.len() / 2]),
            ms(times[times.len() - 1])
        );
    };
    report("overview", &mut |c| load::overview(c, &p, out()).map(drop));
    for g in [GroupBy::Month, GroupBy::District, GroupBy::Unit] {
        report(&format!("hit-rate?group_by={}", g.as_str()), &mut |c| {
            load::hit_rate(c, &p, out(), g).map(drop)
        });
    }
    report("districts", &mut |c| {
        load::districts(c, &p, out()).map(drop)
    });
    report("care-decisions", &mut |c| {
        load::care_decisions(c, &p, out(), today).map(drop)
    });
    Ok(())
}

fn count(conn: &mut DbConn) -> Result<String, Box<dyn std::error::Error>> {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut out = Vec::new();
    for t in ["registrants", "care_decisions", "lookups", "hit_rollup"] {
        let n =
            diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {t}")).get_result::<N>(conn)?;
        out.push(format!("{t} {}", n.n));
    }
    Ok(out.join(", "))
}

/// The SQL that fills the database, for one backend. `{seq}` expands to a
/// sequence `s(i)` of 1..=N, `{fill}` to a 500-character filler, `{ts}(base, secs)`
/// to a timestamp `secs` seconds after `base`.
fn fill(
    conn: &mut DbConn,
    registrants: u64,
    lookups: u64,
) -> Result<(), Box<dyn std::error::Error>> {
    let sqlite = matches!(conn, DbConn::Sqlite(_));
    let seq = |n: u64| {
        if sqlite {
            format!("WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n})")
        } else {
            format!("WITH s(i) AS (SELECT generate_series(1, {n})::bigint)")
        }
    };
    let ts = |base: &str, secs: &str| {
        if sqlite {
            format!("datetime('{base}', '+' || ({secs}) || ' seconds')")
        } else {
            format!("(TIMESTAMP '{base}' + ({secs}) * INTERVAL '1 second')")
        }
    };
    let date = |base: &str, days: &str| {
        if sqlite {
            format!("date('{base}', '+' || ({days}) || ' days')")
        } else {
            format!("(DATE '{base}' + ({days})::int)")
        }
    };
    let pad = |fmt: &str, v: &str| {
        if sqlite {
            format!("printf('{fmt}', {v})")
        } else {
            // printf('%08d') → lpad.
            let width: usize = fmt
                .trim_start_matches(|c: char| c != '%')
                .trim_start_matches("%0")
                .trim_end_matches('d')
                .parse()
                .unwrap_or(8);
            let prefix = &fmt[..fmt.find('%').unwrap_or(0)];
            format!("('{prefix}' || lpad(({v})::text, {width}, '0'))")
        }
    };
    let filler = if sqlite {
        "substr(hex(zeroblob(250)), 1, 500)"
    } else {
        "repeat('0', 500)"
    };
    let t_true = if sqlite { "1" } else { "TRUE" };
    let mut sql = String::new();
    sql.push_str(&format!(
        "{} INSERT INTO districts (code, name, population_total, population_65plus, updated_at) \
         SELECT {}, {}, 20000 + i * 997 % 30000, 3000 + i * 613 % 9000, {} FROM s;\n",
        seq(DISTRICTS),
        pad("D%02d", "i - 1"),
        pad("District %02d", "i - 1"),
        ts("2026-01-01", "0"),
    ));
    sql.push_str(&format!(
        "{} INSERT INTO organizations (id, kind, name, district_code, active, created_at, updated_at) \
         SELECT {}, CASE WHEN i <= {OFFICES} THEN 'care_office' WHEN i <= {} THEN 'fire_department' ELSE 'city' END, \
           {}, NULL, {t_true}, {ts0}, {ts0} FROM s;\n",
        seq(OFFICES + UNITS + 1),
        pad("o%08d", "i"),
        OFFICES + UNITS,
        pad("Org %04d", "i"),
        ts0 = ts("2026-01-01", "0"),
    ));
    sql.push_str(&format!(
        "{} INSERT INTO users (id, organization_id, role, login, password_hash, display_name, active, \
           failed_logins, locked_until, password_changed_at, created_at, updated_at) \
         SELECT {}, {}, CASE WHEN i <= {OFFICES} THEN 'care_manager' WHEN i <= {} THEN 'paramedic' ELSE 'admin' END, \
           {}, 'x', 'x', {t_true}, 0, NULL, {ts0}, {ts0}, {ts0} FROM s;\n",
        seq(OFFICES + UNITS + 1),
        pad("u%08d", "i"),
        pad("o%08d", "i"),
        OFFICES + UNITS,
        pad("user%05d", "i"),
        ts0 = ts("2026-01-01", "0"),
    ));
    // District: a skewed index (square of a uniform value), 2% unknown.
    let district = format!(
        "CASE WHEN i % 50 = 7 THEN NULL ELSE {} END",
        pad(
            "D%02d",
            "((i * 7919) % 1000) * ((i * 7919) % 1000) * 30 / 1000000"
        )
    );
    sql.push_str(&format!(
        "{} INSERT INTO registrants (id, card_code, managing_organization_id, status, version, \
           family_name, given_name, family_name_kana, given_name_kana, name_search, kana_search, \
           birth_date, sex, postal_code, address_line, district_code, living_situation, care_level, \
           record, created_at, created_by, updated_at, updated_by, status_changed_at) \
         SELECT {}, {}, {}, CASE WHEN i % 20 = 0 THEN 'withdrawn' WHEN i % 50 = 1 THEN 'deceased' ELSE 'active' END, 1, \
           'x', 'x', 'x', 'x', 'x', 'x', {}, 'female', NULL, 'x', {district}, 'alone', 'care_1', \
           {filler}, {created}, {user}, {created}, {user}, NULL FROM s;\n",
        seq(registrants),
        pad("r%09d", "i"),
        pad("C%09d", "i"),
        pad("o%08d", &format!("i % {OFFICES} + 1")),
        date("1930-01-01", "i % 12000"),
        created = ts("2023-12-01", "(i * 7) % 94608000"),
        user = pad("u%08d", &format!("i % {OFFICES} + 1")),
    ));
    // Care decisions: 40% of registrants have a first entry, 4% a second one.
    for (seq_no, modulo, kinds) in [
        (1, "i % 5 < 2", "'new'"),
        (
            2,
            "i % 25 = 0",
            "CASE WHEN i % 2 = 0 THEN 'revised' ELSE 'reconfirmed' END",
        ),
    ] {
        sql.push_str(&format!(
            "{} INSERT INTO care_decisions (id, registrant_id, seq, kind, discussed_on, organization_id, \
               recorded_by, recorded_at, review_due, shared_with_family, body) \
             SELECT {}, {}, {seq_no}, {kinds}, {disc}, {org}, {user}, {rec}, {due}, {shared}, '{{}}' \
             FROM s WHERE {modulo};\n",
            seq(registrants),
            pad(&format!("c{seq_no}%09d"), "i"),
            pad("r%09d", "i"),
            disc = date("2024-11-24", &format!("(i * 13 + {seq_no} * 100) % 730")),
            due = date("2025-11-24", &format!("(i * 13 + {seq_no} * 100) % 730")),
            org = pad("o%08d", &format!("i % {OFFICES} + 1")),
            user = pad("u%08d", &format!("i % {OFFICES} + 1")),
            rec = ts("2024-11-24", &format!("((i * 13 + {seq_no} * 100) % 730) * 86400 + i % 86400")),
            shared = "(i % 3 <> 0)",
        ));
    }
    // Lookups: about two per incident, over 2025-12-01..2026-11-30 UTC.
    let opened = "(i % 10 < 6 OR (i % 10 < 8 AND i % 3 = 0))";
    let lookup_district = format!(
        "CASE WHEN ((i + 1) / 2) % 33 = 0 THEN NULL ELSE {} END",
        pad(
            "D%02d",
            "(((i + 1) / 2) * 7919 % 1000) * (((i + 1) / 2) * 7919 % 1000) * 30 / 1000000"
        )
    );
    sql.push_str(&format!(
        "{} INSERT INTO lookups (id, incident_id, user_id, unit_organization_id, incident_district_code, \
           query_kind, outcome, candidate_count, candidate_ids, opened_registrant_id, opened_at, \
           crew_result, crew_result_at, latency_us, created_at) \
         SELECT {}, {}, {user}, {unit}, {district}, 'name+birth_date', \
           CASE WHEN i % 10 < 6 THEN 'match' WHEN i % 10 < 8 THEN 'candidates' ELSE 'no_match' END, \
           CASE WHEN i % 10 < 6 THEN 1 WHEN i % 10 < 8 THEN 3 ELSE 0 END, '[]', \
           CASE WHEN {opened} THEN {reg} END, CASE WHEN {opened} THEN {at} END, \
           CASE WHEN {opened} THEN (CASE WHEN i % 17 = 0 THEN 'wrong_person' ELSE 'confirmed' END) \
                WHEN i % 10 >= 8 AND i % 2 = 0 THEN 'not_registered' END, \
           CASE WHEN {opened} OR (i % 10 >= 8 AND i % 2 = 0) THEN {at} END, 1500, {at} FROM s;\n",
        seq(lookups),
        pad("l%09d", "i"),
        pad("I%09d", "(i + 1) / 2"),
        user = pad("u%08d", &format!("{OFFICES} + 1 + ((i + 1) / 2) % {UNITS}")),
        unit = pad("o%08d", &format!("{OFFICES} + 1 + ((i + 1) / 2) % {UNITS}")),
        district = lookup_district,
        reg = pad("r%09d", &format!("(i * 31) % {registrants} + 1")),
        at = ts("2025-11-30 15:00:00", "((i + 1) / 2) * 63 % 31536000"),
    ));
    if std::env::var_os("BENCH_PRINT_SQL").is_some() {
        println!("{sql}");
    }
    if sqlite {
        conn.transaction(|c| {
            c.batch_execute(&sql)?;
            db::care_decisions::refresh_current(c)
        })?;
        conn.batch_execute("ANALYZE")?;
    } else {
        conn.transaction(|c| {
            c.batch_execute(&sql)?;
            db::care_decisions::refresh_current(c)
        })?;
        conn.batch_execute("VACUUM ANALYZE")?;
    }
    Ok(())
}
