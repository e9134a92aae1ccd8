#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Behaviour over real HTTP, each test on a fresh database, on SQLite and PostgreSQL.

mod common;

mod admin;
mod audit;
mod auth;
mod authz;
mod care_decisions;
mod concurrency;
mod durability;
mod emergency;
mod limits;
mod ops;
mod registrants;
mod roles;
mod search_evidence;
mod security;
mod settings;
mod stats;
mod tamper;
mod transport;
mod web;
