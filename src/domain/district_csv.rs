//! Parses the districts CSV (`code,name,population_total,population_65plus`).
//! A bad row rejects the whole file with its line number.

use serde::Serialize;
use utoipa::ToSchema;

/// One district (地区) with the populations used as denominators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct District {
    #[schema(example = "D01")]
    pub code: String,
    pub name: String,
    pub population_total: i64,
    pub population_65plus: i64,
}

/// Why a CSV was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvError {
    /// 1-based line number in the file.
    pub line: usize,
    pub message: String,
}

/// Most districts one file may carry.
pub const MAX_DISTRICTS: usize = 10_000;

/// Parses the whole file; a header line `code,name,…` is optional.
pub fn parse(text: &str) -> Result<Vec<District>, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out: Vec<District> = Vec::new();
    for (idx, raw) in text.lines().enumerate() {
        let line = idx + 1;
        let row = raw.trim_end_matches('\r');
        if row.trim().is_empty() {
            continue;
        }
        let err = |message: String| CsvError { line, message };
        let cols: Vec<&str> = row.split(',').map(str::trim).collect();
        if line == 1 && cols.first().is_some_and(|c| c.eq_ignore_ascii_case("code")) {
            continue;
        }
        let [code, name, total, older] = cols[..] else {
            return Err(err(format!("expected 4 columns, found {}", cols.len())));
        };
        let valid_code = !code.is_empty()
            && code.len() <= 16
            && code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !valid_code {
            return Err(err(
                "code must be 1 to 16 letters, digits, '_' or '-'".into()
            ));
        }
        if name.is_empty() || name.chars().count() > 100 {
            return Err(err("name must be 1 to 100 characters".into()));
        }
        let number = |field: &str, s: &str| -> Result<i64, CsvError> {
            s.parse::<i64>()
                .ok()
                .filter(|n| (0..=100_000_000).contains(n))
                .ok_or_else(|| err(format!("{field} must be a whole number ≥ 0")))
        };
        let population_total = number("population_total", total)?;
        let population_65plus = number("population_65plus", older)?;
        if population_65plus > population_total {
            return Err(err("population_65plus exceeds population_total".into()));
        }
        if out.iter().any(|d| d.code == code) {
            return Err(err(format!("district {code} appears twice")));
        }
        if out.len() >= MAX_DISTRICTS {
            return Err(err(format!("more than {MAX_DISTRICTS} districts")));
        }
        out.push(District {
            code: code.to_owned(),
            name: name.to_owned(),
            population_total,
            population_65plus,
        });
    }
    if out.is_empty() {
        return Err(CsvError {
            line: 1,
            message: "no districts in file".into(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_with_header_and_bom() {
        let d = parse(
            "\u{feff}code,name,population_total,population_65plus\r\nD01,北見中央,1000,300\r\n",
        )
        .unwrap();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].population_65plus, 300);
    }

    #[test]
    fn bad_row_names_its_line() {
        let e = parse("code,name,population_total,population_65plus\nD01,a,10,3\nD02,b,x,3\n")
            .unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("population_total"));
        assert_eq!(parse("D01,a,10,30\n").unwrap_err().line, 1);
        assert_eq!(parse("D01,a,10,3\nD01,b,10,3").unwrap_err().line, 2);
    }
}
