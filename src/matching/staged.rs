//! Candidate retrieval in two stages. Most crew searches carry a name reading and
//! a birth date; the keys built from the name with the date (reading + year,
//! reading + month/day, …) find the person among a handful of registrants. The
//! broad keys — birth date + sex, family name + year/month — exist for a name
//! heard wrong and reach about a hundred registrants each at a million. They are
//! read only when the precise keys did not give a `match`: a person found by
//! the precise keys agrees on name and date, and a registrant reached only by a
//! broad key disagrees on the name, so it cannot come within the match gap.
//! The evaluation (`examples/eval_matching.rs`) runs the same function.

use std::collections::HashSet;
use std::hash::Hash;

use chrono::NaiveDate;

use super::keys::{query_keys, Query};
use super::score::{decide, Decision, Ranked};

/// Query keys split by how many registrants they reach.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StagedKeys {
    /// Name with date, bare name, phone, card code.
    pub precise: Vec<String>,
    /// Birth date + sex, family name + year/month, the name with one kana
    /// removed + year, postal code.
    pub broad: Vec<String>,
}

/// Whether a key (as built by [`query_keys`]) is a broad one.
fn is_broad(key: &str) -> bool {
    ["ds:", "pf:", "kf:", "pz:", "pc:"]
        .iter()
        .any(|k| key.starts_with(k))
}

/// [`query_keys`], split into the two stages.
pub fn staged_keys(q: &Query, today: NaiveDate) -> StagedKeys {
    let (broad, precise) = query_keys(q, today).into_iter().partition(|k| is_broad(k));
    StagedKeys { precise, broad }
}

/// Scores the registrants the precise keys reach and decides; when that is not a
/// `match`, adds those the broad keys reach and decides over all of them.
/// `fetch_scored` returns the scored registrants sharing any of the given keys;
/// `id` tells registrants apart, so nobody found in both stages counts twice.
pub fn staged_decide<T, S, K, E>(
    q: &Query,
    keys: &StagedKeys,
    mut fetch_scored: impl FnMut(&[String]) -> Result<Vec<(T, S)>, E>,
    id: impl Fn(&T) -> K,
) -> Result<Decision<T>, E>
where
    T: Clone,
    S: Ranked,
    K: Eq + Hash,
{
    let mut scored = if keys.precise.is_empty() {
        Vec::new()
    } else {
        fetch_scored(&keys.precise)?
    };
    if !scored.is_empty() {
        if let m @ Decision::Match(..) = decide(&scored, q) {
            return Ok(m);
        }
    }
    if !keys.broad.is_empty() {
        let seen: HashSet<K> = scored.iter().map(|(t, _)| id(t)).collect();
        let more = fetch_scored(&keys.broad)?;
        scored.extend(more.into_iter().filter(|(t, _)| !seen.contains(&id(t))));
    }
    Ok(decide(&scored, q))
}

#[cfg(test)]
mod tests {
    use super::super::dates::parse_birth_query;
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 15).unwrap()
    }

    fn query(name: &str, birth: &str) -> Query {
        Query {
            name: Some(name.into()),
            birth: Some(parse_birth_query(birth, today()).unwrap()),
            ..Query::default()
        }
    }

    #[test]
    fn date_and_family_keys_are_the_broad_stage() {
        let k = staged_keys(&query("サトウ ハナコ", "1940-03-02"), today());
        assert!(!k.precise.is_empty() && !k.broad.is_empty());
        assert!(k.broad.iter().all(|k| is_broad(k)));
        assert!(k.broad.iter().any(|k| k.starts_with("ds:")));
        assert!(k.broad.iter().any(|k| k.starts_with("pf:")));
        assert!(k.precise.iter().all(|k| !is_broad(k)));
        let all = query_keys(&query("サトウ ハナコ", "1940-03-02"), today());
        assert_eq!(k.precise.len() + k.broad.len(), all.len());
    }

    #[test]
    fn broad_keys_are_read_only_without_a_precise_match() {
        let q = query("サトウ ハナコ", "1940-03-02");
        let keys = staged_keys(&q, today());
        // A clear match from the precise keys: one fetch.
        let mut fetches = 0;
        let d = staged_decide(
            &q,
            &keys,
            |_| -> Result<_, ()> {
                fetches += 1;
                Ok(vec![(1u32, 40.0), (2, 10.0)])
            },
            |t| *t,
        )
        .unwrap();
        assert!(matches!(d, Decision::Match(1, _)));
        assert_eq!(fetches, 1);
        // Two close ones: the broad keys are read too, and a registrant found in
        // both stages is scored once.
        let mut stage = 0;
        let d = staged_decide(
            &q,
            &keys,
            |_| -> Result<_, ()> {
                stage += 1;
                Ok(if stage == 1 {
                    vec![(1u32, 30.0), (2, 29.0)]
                } else {
                    vec![(2, 29.0), (3, 20.0)]
                })
            },
            |t| *t,
        )
        .unwrap();
        assert_eq!(stage, 2);
        let Decision::Candidates(list) = d else {
            panic!("expected candidates")
        };
        assert_eq!(list.iter().map(|(t, _)| *t).collect::<Vec<_>>(), [1, 2, 3]);
    }
}
