//! Statistics for administrators: formulas (pure) and the queries behind
//! `/stats/*`.

pub mod formulas;
