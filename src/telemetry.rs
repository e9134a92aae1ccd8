//! Tracing set-up: text or JSON lines, and a root span per request carrying a
//! request id (echoed in `X-Request-Id`). Paths, not bodies, are logged; names and
//! medical fields never reach a log line.

use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpMessage};
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RootSpanBuilder};
use tracing_subscriber::{fmt, EnvFilter};

use crate::config::LogFormat;

/// Installs the global subscriber (once); `RUST_LOG` overrides the level.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,actix_web=warn,actix_server=warn"));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// Root span: method, route pattern, request id, status, and the user once known.
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let route = request
            .match_pattern()
            .unwrap_or_else(|| "unmatched".to_owned());
        let request_id = request
            .extensions()
            .get::<tracing_actix_web::RequestId>()
            .map(|id| id.to_string())
            .unwrap_or_default();
        tracing::info_span!(
            "request",
            method = %request.method(),
            route = %route,
            request_id = %request_id,
            user_id = tracing::field::Empty,
            status = tracing::field::Empty,
        )
    }

    fn on_request_end<B: actix_web::body::MessageBody>(
        span: Span,
        outcome: &Result<ServiceResponse<B>, Error>,
    ) {
        if let Ok(res) = outcome {
            let status = res.status().as_u16();
            span.record("status", status);
            if res.status().is_server_error() {
                tracing::warn!(parent: &span, status, "request failed");
            } else {
                tracing::info!(parent: &span, status, "request done");
            }
        }
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}
