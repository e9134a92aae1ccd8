#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Behaviour over real HTTP, each test on a fresh database, on SQLite and PostgreSQL.

mod common;

mod admin;
mod audit;
mod auth;
mod care_decisions;
mod registrants;
mod roles;
mod stats;
