//! Request-body and query extractors that answer bad input with a problem
//! document naming the field (`address.district_code`), never a bare 400.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::app::AppState;
use crate::error::ApiError;

/// A JSON body of type `T`; unknown fields, wrong types and oversized bodies are
/// refused with 400, 413 or 415.
#[derive(Debug)]
pub struct Json<T>(pub T);

/// Reads the body up to the configured limit.
pub(crate) async fn read_body(
    req: &HttpRequest,
    payload: &mut Payload,
) -> Result<web::BytesMut, ApiError> {
    let limit = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.config.body_limit_bytes)
        .unwrap_or(256 * 1024);
    let too_large = || ApiError::PayloadTooLarge(format!("the body must be at most {limit} bytes"));
    if let Some(len) = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
    {
        if len > limit {
            return Err(too_large());
        }
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| ApiError::field("body", "could not be read"))?;
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Default deepest nesting of arrays and objects.
pub const DEFAULT_MAX_DEPTH: usize = 32;

/// The deepest nesting of arrays and objects in JSON text (brackets inside
/// strings do not count); a linear scan that runs before any parsing.
pub fn json_depth(bytes: &[u8]) -> usize {
    let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &b in bytes {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                max = max.max(depth);
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Parses JSON, naming the path of the first bad field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    parse_json_limited(bytes, DEFAULT_MAX_DEPTH)
}

/// Like [`parse_json`] with the nesting limit given.
pub fn parse_json_limited<T: DeserializeOwned>(
    bytes: &[u8],
    max_depth: usize,
) -> Result<T, ApiError> {
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ApiError::field("body", "must be a JSON object"));
    }
    if json_depth(bytes) > max_depth {
        return Err(ApiError::field(
            "body",
            format!("nests arrays and objects deeper than {max_depth} levels"),
        ));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = inner.to_string();
        // serde's "at line 1 column 9" is noise for API users.
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_owned();
        let root = path == "." || path.is_empty();
        // A missing field is reported at its parent: name the field itself.
        let missing = message
            .strip_prefix("missing field `")
            .and_then(|m| m.split('`').next());
        let field = match (root, missing) {
            (true, Some(name)) => name.to_owned(),
            (false, Some(name)) => format!("{path}.{name}"),
            (true, None) => "body".to_owned(),
            (false, None) => path,
        };
        ApiError::field(field, message)
    })
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            let is_json = req
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(|v| {
                    v.split(';')
                        .next()
                        .unwrap_or("")
                        .trim()
                        .to_ascii_lowercase()
                })
                .is_some_and(|m| m == "application/json" || m.ends_with("+json"));
            if !is_json {
                return Err(ApiError::UnsupportedMediaType(
                    "send the body as application/json".into(),
                ));
            }
            let body = read_body(&req, &mut payload).await?;
            let max_depth = req
                .app_data::<web::Data<AppState>>()
                .map(|s| s.config.json_max_depth)
                .unwrap_or(DEFAULT_MAX_DEPTH);
            parse_json_limited(&body, max_depth).map(Json)
        })
    }
}

/// A query string of type `T`, refused with a problem document naming the parameter.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(
            req.query_string().as_bytes(),
        ));
        let parsed = serde_path_to_error::deserialize::<_, T>(de).map_err(|e| {
            let path = e.path().to_string();
            let message = e.into_inner().to_string();
            // An unknown parameter is reported at the root with its name quoted.
            let field = if path == "." || path.is_empty() {
                message
                    .split('`')
                    .nth(1)
                    .map(str::to_owned)
                    .unwrap_or_else(|| "query".into())
            } else {
                path
            };
            ApiError::field(field, message)
        });
        std::future::ready(parsed.map(Query))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_brackets_outside_strings() {
        assert_eq!(json_depth(br#"{"a": 1}"#), 1);
        assert_eq!(json_depth(br#"{"a": [[{"b": []}]]}"#), 5);
        assert_eq!(json_depth(br#"{"a": "[[[[{{{{", "b": "\\\"[["}"#), 1);
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let deep = format!("{{\"a\": {}{}}}", "[".repeat(100), "]".repeat(100));
        let err = parse_json::<serde_json::Value>(deep.as_bytes()).unwrap_err();
        assert!(err.problem().detail.contains("deeper than"));
    }
}
