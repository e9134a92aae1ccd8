//! Statistics for administrators: formulas (pure), periods and time zones, the
//! queries behind `/stats/*` (aggregation in the database), the reports built
//! from their grouped rows, and CSV rendering.

pub mod csv;
pub mod formulas;
pub mod load;
pub mod period;
pub mod queries;
pub mod report;
pub mod rollup;
