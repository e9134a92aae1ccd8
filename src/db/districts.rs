//! Districts (地区) and their populations, replaced as a whole from a CSV.

use diesel::prelude::*;

use super::schema::districts;
use super::DbConn;
use crate::domain::district_csv::District;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = districts)]
struct DistrictRow {
    code: String,
    name: String,
    population_total: i64,
    population_65plus: i64,
    updated_at: chrono::NaiveDateTime,
}

/// Replaces all districts with `list` (call inside a transaction).
pub fn replace_all(conn: &mut DbConn, list: &[District]) -> QueryResult<()> {
    let now = super::now();
    diesel::delete(districts::table).execute(conn)?;
    for d in list {
        diesel::insert_into(districts::table)
            .values(DistrictRow {
                code: d.code.clone(),
                name: d.name.clone(),
                population_total: d.population_total,
                population_65plus: d.population_65plus,
                updated_at: now,
            })
            .execute(conn)?;
    }
    Ok(())
}

pub fn list(conn: &mut DbConn) -> QueryResult<Vec<District>> {
    let rows = districts::table
        .order(districts::code.asc())
        .select(DistrictRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| District {
            code: r.code,
            name: r.name,
            population_total: r.population_total,
            population_65plus: r.population_65plus,
        })
        .collect())
}

pub fn exists(conn: &mut DbConn, code: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(districts::table.find(code))).get_result(conn)
}
