//! eir: an emergency medical information registry. Care managers register elderly
//! people living at home; ambulance crews find them on scene; the city measures
//! how well the network works.

pub mod app;
pub mod auth;
pub mod bootstrap;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod matching;
pub mod openapi;
pub mod routes;
pub mod seed;
pub mod service;
pub mod stats;
pub mod telemetry;
pub mod tls;
pub mod web;
