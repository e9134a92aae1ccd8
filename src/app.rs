//! Application state and `build_app()`: the one place routes and middleware are
//! assembled, and `serve()`, which binds HTTP or HTTPS.

use std::sync::Arc;

use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{Compress, DefaultHeaders};
use actix_web::{web, App, HttpMessage, HttpServer};
use tracing_actix_web::TracingLogger;

use crate::auth::jwt::JwtKeys;
use crate::config::Config;
use crate::db::{DbConn, DbPool};
use crate::error::ApiError;
use crate::routes;
use crate::telemetry::RequestSpan;

/// What every handler can reach.
pub struct AppState {
    pub pool: DbPool,
    pub config: Arc<Config>,
    pub jwt: JwtKeys,
    /// Group-commit writer for crew lookups.
    pub lookups: crate::db::lookup_writer::LookupWriter,
    /// The deployment's time zone, as stored in the database when this
    /// instance started.
    pub zone: crate::stats::period::Zone,
}

impl AppState {
    /// Runs `f` with a pooled connection on the blocking thread pool, so database
    /// calls never block the async workers.
    pub async fn db<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await?
    }

    /// Runs `f` with the state on the blocking thread pool (use cases that
    /// manage their own connections, such as logging in).
    pub async fn call<T, F>(state: &web::Data<AppState>, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&AppState) -> Result<T, ApiError> + Send + 'static,
    {
        let state = web::Data::clone(state);
        web::block(move || f(&state)).await?
    }

    /// Today's date in the deployment's time zone (stored in the database; the
    /// first start takes `EIR_TIMEZONE`): the reference for ages, "not in the
    /// future" and the statistics alike.
    pub fn today(&self) -> chrono::NaiveDate {
        self.zone().today()
    }

    /// The deployment's time zone.
    pub fn zone(&self) -> crate::stats::period::Zone {
        self.zone.clone()
    }
}

/// Assembles the application: state, middleware and every route.
pub fn build_app(
    state: web::Data<AppState>,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(state)
        .app_data(web::PathConfig::default().error_handler(|_, _| ApiError::NotFound.into()))
        .wrap(Compress::default())
        .wrap(
            DefaultHeaders::new()
                .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                .add((header::X_FRAME_OPTIONS, "DENY"))
                .add((header::REFERRER_POLICY, "no-referrer")),
        )
        .wrap_fn(|req, srv| {
            let is_api = req.path().starts_with("/api/");
            let https = req.connection_info().scheme() == "https"
                && req
                    .app_data::<web::Data<AppState>>()
                    .is_some_and(|s| s.config.tls_cert.is_some());
            let request_id = req
                .extensions()
                .get::<tracing_actix_web::RequestId>()
                .and_then(|id| HeaderValue::from_str(&id.to_string()).ok());
            let fut = srv.call(req);
            async move {
                let mut res = fut.await?;
                if is_api && !res.headers().contains_key(header::CACHE_CONTROL) {
                    res.headers_mut()
                        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                }
                if https {
                    res.headers_mut().insert(
                        header::STRICT_TRANSPORT_SECURITY,
                        HeaderValue::from_static("max-age=31536000; includeSubDomains"),
                    );
                }
                if let Some(id) = request_id {
                    res.headers_mut()
                        .insert(header::HeaderName::from_static("x-request-id"), id);
                }
                Ok(res)
            }
        })
        .wrap(TracingLogger::<RequestSpan>::new())
        .configure(routes::configure)
        .configure(crate::web::configure)
        .default_service(web::to(crate::web::fallback))
}

/// Serves until stopped: HTTPS when a certificate and key are configured.
pub async fn serve(state: web::Data<AppState>) -> std::io::Result<()> {
    serve_on(state, None).await
}

/// Like [`serve`] on an already bound listener (tests bind port 0 first).
pub async fn serve_on(
    state: web::Data<AppState>,
    listener: Option<std::net::TcpListener>,
) -> std::io::Result<()> {
    let config = state.config.clone();
    let workers = config.workers.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    });
    let server = HttpServer::new(move || build_app(state.clone()))
        .workers(workers)
        .client_request_timeout(std::time::Duration::from_secs(config.request_timeout_secs))
        .client_disconnect_timeout(std::time::Duration::from_secs(5))
        .keep_alive(std::time::Duration::from_secs(config.keep_alive_secs))
        .max_connections(config.max_connections)
        .shutdown_timeout(10);
    let server = match (&config.tls_cert, &config.tls_key) {
        (Some(cert), Some(key)) => {
            let tls = crate::tls::server_config(cert, key)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
            tracing::info!(listen = %config.listen, "serving HTTPS");
            match listener {
                Some(l) => server.listen_rustls_0_23(l, tls)?,
                None => server.bind_rustls_0_23(&config.listen, tls)?,
            }
        }
        _ => {
            tracing::info!(listen = %config.listen, "serving HTTP");
            match listener {
                Some(l) => server.listen(l)?,
                None => server.bind(&config.listen)?,
            }
        }
    };
    server.run().await
}

impl AppState {
    /// `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        match self.config.database() {
            crate::db::DatabaseTarget::Postgres(_) => "postgres",
            crate::db::DatabaseTarget::Sqlite(_) => "sqlite",
        }
    }
}
