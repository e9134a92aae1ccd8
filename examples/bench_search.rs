#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // a benchmark tool: setup failures abort it
//! Load benchmark for crew searches against a running `eir serve` seeded with
//! `eir seed --synthetic N --seed S`. It regenerates the same synthetic people,
//! searches for them the way crews do (kana or kanji name, ISO or era birth
//! date) from C concurrent connections for D seconds, and prints throughput,
//! client-side latency percentiles, outcomes, and the server's memory.
//!
//! ```text
//! EIR_SEARCH_RATE_PER_MINUTE=120 eir serve &   # 2,000 crew accounts, ~1 search/s each
//! cargo run --release --example bench_search -- --population 1000000 --seed 1 --users 2000 \
//!     --admin-login admin --admin-password '…' --concurrency 8 --seconds 60 --server-pid $PID
//! ```

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use chrono::Datelike;
use clap::Parser;
use serde_json::{json, Value};

use eir::domain::district_csv::District;
use eir::seed::{district_weights, synthetic::Generator};

/// Distinct people searched for (and incidents): cycled through during the run.
const QUERIES: u64 = 200_000;

#[derive(Parser)]
struct Args {
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    base: String,
    #[arg(long, env = "EIR_ADMIN_LOGIN")]
    admin_login: String,
    #[arg(long, env = "EIR_ADMIN_PASSWORD")]
    admin_password: String,
    /// How many registrants the database was seeded with.
    #[arg(long)]
    population: u64,
    /// The seed given to `eir seed`.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    #[arg(long, default_value_t = 30)]
    seconds: u64,
    /// Crew accounts to spread the load over (each is held to the server's
    /// per-user limit, `EIR_SEARCH_RATE_PER_MINUTE`).
    #[arg(long, default_value_t = 2000)]
    users: usize,
    /// The server's process id, to report its memory.
    #[arg(long)]
    server_pid: Option<u32>,
}

/// Era names, their letters, first day, and the year before era year 1.
/// (name, letter, first day, year before era year 1).
type Era = (&'static str, &'static str, (i32, u32, u32), i32);

const ERAS: [Era; 4] = [
    ("平成", "H", (1989, 1, 8), 1988),
    ("昭和", "S", (1926, 12, 25), 1925),
    ("大正", "T", (1912, 7, 30), 1911),
    ("明治", "M", (1868, 1, 25), 1867),
];

fn era_form(d: chrono::NaiveDate, i: u64) -> String {
    let (name, letter, _, offset) = ERAS
        .iter()
        .find(|(_, _, (y, m, day), _)| (d.year(), d.month(), d.day()) >= (*y, *m, *day))
        .copied()
        .unwrap_or(ERAS[3]);
    if i % 2 == 0 {
        format!("{name}{}年{}月{}日", d.year() - offset, d.month(), d.day())
    } else {
        format!("{letter}{}.{}.{}", d.year() - offset, d.month(), d.day())
    }
}

fn hiragana(katakana: &str) -> String {
    katakana
        .chars()
        .map(|c| match c {
            '\u{30A1}'..='\u{30F6}' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
            _ => c,
        })
        .collect()
}

struct Stats {
    latencies_us: Vec<u64>,
    outcomes: [u64; 3],
    found: u64,
    errors: std::collections::BTreeMap<u16, u64>,
}

async fn call(client: &awc::Client, url: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
    let mut req = client.post(url);
    if let Some(t) = token {
        req = req.insert_header(("Authorization", format!("Bearer {t}")));
    }
    match req.send_json(body).await {
        Ok(mut res) => {
            let status = res.status().as_u16();
            let v = res
                .json::<Value>()
                .limit(1 << 20)
                .await
                .unwrap_or(Value::Null);
            (status, v)
        }
        Err(_) => (0, Value::Null),
    }
}

/// The parts of a search answer the benchmark checks.
#[derive(Default, serde::Deserialize)]
struct Found {
    outcome: String,
    candidates: Vec<Person>,
}

#[derive(serde::Deserialize)]
struct Person {
    family_name_kana: String,
    given_name_kana: String,
    birth_date: String,
}

/// One search with a pre-serialized body.
async fn search(client: &awc::Client, url: &str, token: &str, body: &str) -> (u16, Found) {
    let sent = client
        .post(url)
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Content-Type", "application/json"))
        .send_body(body.to_owned())
        .await;
    match sent {
        Ok(mut res) => {
            let status = res.status().as_u16();
            let found = res.json::<Found>().await.unwrap_or_default();
            (status, found)
        }
        Err(_) => (0, Found::default()),
    }
}

fn memory(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map(|s| {
            s.lines()
                .filter(|l| l.starts_with("VmHWM") || l.starts_with("VmRSS"))
                .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
                .collect::<Vec<_>>()
                .join(" / ")
        })
        .unwrap_or_else(|_| "unknown".into())
}

fn main() {
    let args = Args::parse();
    actix_web::rt::System::new().block_on(run(args));
}

async fn run(args: Args) {
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(30))
        .finish();
    let api = format!("{}/api/v1", args.base);
    let (s, login) = call(
        &client,
        &format!("{api}/auth/token"),
        None,
        &json!({"login": args.admin_login, "password": args.admin_password}),
    )
    .await;
    assert_eq!(s, 200, "admin login failed: {login}");
    let admin = login["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let mut res = client
        .get(format!("{api}/districts"))
        .insert_header(("Authorization", format!("Bearer {admin}")))
        .send()
        .await
        .expect("districts");
    let districts: Vec<Value> = res.json().await.expect("districts json");
    let districts: Vec<District> = districts
        .iter()
        .map(|d| District {
            code: d["code"].as_str().unwrap_or_default().into(),
            name: d["name"].as_str().unwrap_or_default().into(),
            population_total: d["population_total"].as_i64().unwrap_or(0),
            population_65plus: d["population_65plus"].as_i64().unwrap_or(0),
        })
        .collect();
    // A crew member of a fire department, created for this run.
    let tag = rand::random::<u32>();
    let (s, org) = call(
        &client,
        &format!("{api}/organizations"),
        Some(&admin),
        &json!({"name": format!("bench fire {tag}"), "kind": "fire_department"}),
    )
    .await;
    assert_eq!(s, 201, "{org}");
    let password = format!("bench-password-{tag}");
    // Accounts are created and logged in eight at a time (each costs the server
    // two password hashes).
    let mut medics = Vec::new();
    let ids: Vec<usize> = (0..args.users).collect();
    for group in ids.chunks(8) {
        let made = group.iter().map(|i| {
            let (client, api, admin, org, password) = (&client, &api, &admin, &org, &password);
            async move {
                let login_name = format!("bench.medic.{tag}.{i}");
                let (s, u) = call(
                    client,
                    &format!("{api}/users"),
                    Some(admin),
                    &json!({"login": login_name, "password": password, "role": "paramedic",
                            "organization_id": org["id"], "display_name": "bench"}),
                )
                .await;
                assert_eq!(s, 201, "{u}");
                let (_, t) = call(
                    client,
                    &format!("{api}/auth/token"),
                    None,
                    &json!({"login": login_name, "password": password}),
                )
                .await;
                t["access_token"].as_str().unwrap_or_default().to_owned()
            }
        });
        medics.extend(futures_util::future::join_all(made).await);
    }
    let medics = Rc::new(medics);

    // The same people the seed wrote, searched as crews would say them.
    let mut generator = Generator::new(
        args.seed,
        // The seed's "today": the deployment's zone, Japan unless set otherwise.
        eir::stats::period::Zone::parse("Asia/Tokyo")
            .unwrap()
            .today(),
        district_weights(&districts),
    );
    let mut queries = Vec::new();
    let mut pick = args.seed.wrapping_mul(6364136223846793005) | 1;
    for i in 0..QUERIES {
        pick = pick
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let p = generator.person((pick >> 11) % args.population);
        let name = match i % 3 {
            0 => format!("{}{}", p.family_name, p.given_name),
            1 => format!(
                "{} {}",
                hiragana(&p.family_name_kana),
                hiragana(&p.given_name_kana)
            ),
            _ => format!("{}　{}", p.family_name_kana, p.given_name_kana),
        };
        let birth = if i % 2 == 0 {
            p.birth_date.to_string()
        } else {
            era_form(p.birth_date, i)
        };
        // Bodies are serialized once, so the client spends its share of the two
        // cores on sending and timing rather than on building JSON.
        queries.push((
            json!({"incident_id": format!("bench-{tag}-{i}"), "incident_district_code": p.address.district_code,
                   "query": {"name": name, "birth_date": birth}})
            .to_string(),
            p.birth_date.to_string(),
            format!("{}{}", p.family_name_kana, p.given_name_kana),
        ));
    }
    let queries = Rc::new(queries);
    let stats = Rc::new(RefCell::new(Stats {
        latencies_us: Vec::new(),
        outcomes: [0; 3],
        found: 0,
        errors: Default::default(),
    }));
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let started = Instant::now();
    let url = format!("{api}/emergency/search");
    let mut tasks = Vec::new();
    for worker in 0..args.concurrency {
        let (client, queries, stats, url, medics) = (
            client.clone(),
            queries.clone(),
            stats.clone(),
            url.clone(),
            medics.clone(),
        );
        tasks.push(async move {
            let mut n = worker;
            while Instant::now() < deadline {
                let (body, birth, kana) = &queries[n % queries.len()];
                n += args.concurrency;
                let t0 = Instant::now();
                let medic = &medics[n % medics.len()];
                let (status, v) = search(&client, &url, medic, body).await;
                let us = t0.elapsed().as_micros() as u64;
                let mut s = stats.borrow_mut();
                if status != 200 {
                    *s.errors.entry(status).or_default() += 1;
                    continue;
                }
                s.latencies_us.push(us);
                let idx = match v.outcome.as_str() {
                    "match" => 0,
                    "candidates" => 1,
                    _ => 2,
                };
                s.outcomes[idx] += 1;
                if let Some(top) = v.candidates.first() {
                    let top_kana = format!("{}{}", top.family_name_kana, top.given_name_kana);
                    if &top.birth_date == birth && &top_kana == kana {
                        s.found += 1;
                    }
                }
            }
        });
    }
    futures_util::future::join_all(tasks).await;
    let elapsed = started.elapsed().as_secs_f64();
    let mut s = stats.borrow_mut();
    s.latencies_us.sort_unstable();
    let n = s.latencies_us.len();
    let pct = |p: f64| {
        s.latencies_us
            .get(((n as f64 * p) as usize).min(n.saturating_sub(1)))
            .copied()
            .unwrap_or(0) as f64
            / 1000.0
    };
    println!(
        "searches: {n} in {elapsed:.1} s = {:.0} per second (concurrency {}), errors by status {:?}",
        n as f64 / elapsed,
        args.concurrency,
        s.errors
    );
    println!(
        "latency ms: p50 {:.2}  p90 {:.2}  p99 {:.2}  max {:.2}",
        pct(0.50),
        pct(0.90),
        pct(0.99),
        pct(1.0)
    );
    println!(
        "outcomes: match {}  candidates {}  no_match {}; right person first: {:.2}%",
        s.outcomes[0],
        s.outcomes[1],
        s.outcomes[2],
        100.0 * s.found as f64 / n.max(1) as f64
    );
    if let Some(pid) = args.server_pid {
        println!("server memory (VmHWM / VmRSS): {}", memory(pid));
    }
}
