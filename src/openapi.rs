//! The OpenAPI 3.1 document, generated from the handlers' annotations and the
//! route table (`routes::Operations`, the same list the server serves). The copy in
//! `openapi/openapi.json` is checked against it by a test.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "eir — emergency medical information registry",
        description = "Care managers register elderly people's emergency information; ambulance crews look them up on scene; administrators measure the network.",
        license(name = "MIT"),
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags(
        (name = "auth", description = "Log in and out"),
        (name = "registrants", description = "Registrations (care managers)"),
        (name = "care-decisions", description = "医療・ケアについての意思決定 (care managers)"),
        (name = "emergency", description = "On-scene lookup (paramedics)"),
        (name = "admin", description = "Administration (admins)"),
        (name = "stats", description = "Statistics (admins): JSON, or CSV with `format=csv`"),
        (name = "operations", description = "Health and documentation"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// Documents the answers every operation can give besides its own: 400 for a
/// malformed query or body, 413 and 415 for a body too large or not JSON, and
/// 401 wherever a token is required. Added here once rather than on every
/// handler, so no operation can forget them (schemathesis checks that every
/// status sent is documented).
struct CommonProblems;

impl Modify for CommonProblems {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::{Operation, ParameterIn};
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let problem = |description: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/problem+json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("Problem")))
                            .build(),
                    )
                    .build(),
            )
        };
        let add = |op: &mut Operation, status: &str, description: &str| {
            op.responses
                .responses
                .entry(status.to_owned())
                .or_insert_with(|| problem(description));
        };
        for item in openapi.paths.paths.values_mut() {
            let ops = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for op in ops.into_iter().flatten() {
                let has_query = op.parameters.as_ref().is_some_and(|ps| {
                    ps.iter()
                        .any(|p| matches!(p.parameter_in, ParameterIn::Query))
                });
                if op.request_body.is_some() || has_query {
                    add(op, "400", "Malformed query or body, naming the field");
                }
                if op.request_body.is_some() {
                    add(op, "413", "Body too large");
                    add(op, "415", "Body of the wrong media type");
                }
                // `security(())` (an empty requirement) marks a public operation.
                let public = op
                    .security
                    .as_ref()
                    .is_some_and(|reqs| reqs.iter().any(|r| r == &Default::default()));
                if !public {
                    add(op, "401", "Missing, invalid or expired token");
                }
            }
        }
    }
}

/// A response type that flattens a request type (`Registrant` is `RegistrantInput`
/// and the server's fields) is documented as `allOf`; the request type's
/// `additionalProperties: false` (from `deny_unknown_fields`) would then forbid
/// the server fields. Inside such an `allOf`, the reference is replaced by a copy
/// of the request schema without that restriction; requests keep it.
struct OpenFlattenedInputs;

impl Modify for OpenFlattenedInputs {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::schema::Schema;
        use utoipa::openapi::RefOr;
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        let originals = components.schemas.clone();
        for schema in components.schemas.values_mut() {
            let RefOr::T(Schema::AllOf(all)) = schema else {
                continue;
            };
            for item in all.items.iter_mut() {
                let RefOr::Ref(r) = item else { continue };
                let name = r.ref_location.rsplit('/').next().unwrap_or_default();
                if let Some(RefOr::T(Schema::Object(obj))) = originals.get(name) {
                    if obj.additional_properties.is_some() {
                        let mut open = obj.clone();
                        open.additional_properties = None;
                        *item = RefOr::T(Schema::Object(open));
                    }
                }
            }
        }
    }
}

/// The document as pretty JSON (what `openapi/openapi.json` holds).
pub fn document() -> String {
    let mut doc = ApiDoc::openapi();
    // The operations come from the route table itself; the document-wide
    // changes apply after they are merged in.
    doc.merge(routes::Operations::openapi());
    CommonProblems.modify(&mut doc);
    OpenFlattenedInputs.modify(&mut doc);
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    let mut s = doc.to_pretty_json().unwrap_or_default();
    s.push('\n');
    s
}
