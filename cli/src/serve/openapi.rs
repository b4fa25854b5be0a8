//! The OpenAPI 3.1 document of the service (`/v1/openapi.json`). The schemas of what it reads
//! and writes are generated from the engine's Rust types (schemars, draft 2020-12, which
//! OpenAPI 3.1 takes as it is); the paths are written here, beside the routes they describe.
//! The answers' schema depends on the rule set, so it is served per version and linked.

use std::sync::OnceLock;

use serde_json::{json, Map, Value};

/// The document, made once.
pub fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(build)
}

fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn json_content(schema: Value) -> Value {
    json!({"application/json": {"schema": schema}})
}

/// The error responses a route may give, by status.
fn errors(statuses: &[(&str, &str)]) -> Map<String, Value> {
    statuses
        .iter()
        .map(|(status, description)| {
            (
                status.to_string(),
                json!({"description": description, "content": json_content(schema_ref("Error"))}),
            )
        })
        .collect()
}

/// The errors every route under `/v1` may give.
const COMMON: [(&str, &str); 4] = [
    ("401", "No bearer token, or another (only when the service requires one)"),
    ("408", "The request took longer than the time limit"),
    ("503", "Not ready (the rules are loading) or at the limit of requests at once"),
    ("500", "A rule failed at run time, or a fault of the service"),
];

fn with_common(mut responses: Map<String, Value>) -> Value {
    for (status, description) in errors(&COMMON) {
        responses.entry(status).or_insert(description);
    }
    Value::Object(responses)
}

/// The contract's crisis family, as an example of answers.
const EXAMPLE_FAMILY: &str = include_str!("../../../examples/family-crisis.json");

/// What an operation takes: answers (an object), or any JSON, for those that report what is
/// wrong with it rather than refuse it.
#[derive(PartialEq)]
enum Takes {
    Answers,
    AnyJson,
}

/// An operation that takes answers as JSON.
fn answers_operation(summary: &str, description: &str, ok: Value, parameters: Value, takes: Takes) -> Value {
    let body = if takes == Takes::AnyJson { json!({}) } else { json!({"type": "object"}) };
    let example: Value = serde_json::from_str(EXAMPLE_FAMILY).unwrap_or(Value::Null);
    let mut responses = errors(&[
        ("400", "Not JSON, not UTF-8, or an unknown parameter"),
        ("413", "The body is larger than the limit"),
        ("415", "The body is not declared as application/json"),
        ("422", "The answers do not fit the questions (every problem with its JSON Pointer), or no version is in force on their date"),
    ]);
    responses.insert(
        "200".into(),
        json!({"description": "Done", "content": json_content(ok), "headers": ruleset_headers()}),
    );
    json!({
        "summary": summary,
        "description": description,
        "parameters": parameters,
        "requestBody": {
            "required": true,
            "description": "The family's answers. Their schema is the version's: GET /v1/rulesets/{id}/{version}/schema/answers.",
            "content": {"application/json": {"schema": body, "example": example}},
        },
        "responses": with_common(responses),
    })
}

fn ruleset_headers() -> Value {
    json!({
        "sopro-ruleset": {"description": "The rule set and version used, e.g. `khmao 2026.3`", "schema": {"type": "string"}},
        "sopro-ruleset-digest": {"description": "Its sha256 digest", "schema": {"type": "string"}},
        "x-request-id": {"description": "The request's id, as in the service's log", "schema": {"type": "string"}},
    })
}

fn query(name: &str, description: &str, values: Option<&[&str]>) -> Value {
    let schema = match values {
        Some(values) => json!({"type": "string", "enum": values}),
        None => json!({"type": "string"}),
    };
    json!({"name": name, "in": "query", "required": false, "description": description, "schema": schema})
}

fn path_parameter(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "path", "required": true, "description": description, "schema": {"type": "string"}})
}

fn get_json(summary: &str, ok: Value, mut responses: Map<String, Value>, parameters: Value) -> Value {
    responses.insert("200".into(), json!({"description": "Done", "content": json_content(ok)}));
    json!({"summary": summary, "parameters": parameters, "responses": with_common(responses)})
}

fn build() -> Value {
    let (types, mut schemas) = sopro_engine::api_types("/components/schemas");
    let error_kind = types.get("errorKind").cloned().unwrap_or(Value::Null);
    schemas.insert(
        "Error".into(),
        json!({
            "description": "Every error: its kind, a message without answer values, and the kind's own fields (the problems of invalid answers, each with its JSON Pointer)",
            "type": "object",
            "required": ["error"],
            "properties": {"error": {
                "type": "object",
                "required": ["kind"],
                "properties": {"kind": error_kind, "message": {"type": "string"}},
                "additionalProperties": true,
            }},
        }),
    );
    schemas.insert(
        "Validation".into(),
        json!({
            "type": "object",
            "required": ["valid", "problems", "ruleset"],
            "properties": {
                "valid": {"type": "boolean"},
                "problems": {"type": "array", "items": types.get("answerProblem").cloned().unwrap_or(Value::Null)},
                "ruleset": {"type": "object", "description": "id, version, digest (and base) of the version that checked them"},
            },
        }),
    );
    let ty = |name: &str| types.get(name).cloned().unwrap_or(Value::Null);
    let not_found = errors(&[("404", "No such rule set or version loaded"), ("400", "No such schema")]);
    let id_version = json!([
        path_parameter("id", "The rule set's id, e.g. khmao"),
        path_parameter("version", "The version, e.g. 2026.3"),
    ]);
    let mut schema_parameters = id_version.as_array().cloned().unwrap_or_default();
    schema_parameters.push(json!({"name": "kind", "in": "path", "required": true, "schema": {"type": "string", "enum": ["answers", "assessment"]}}));
    let plain = |summary: &str, content: Value| json!({"get": {"summary": summary, "security": [], "responses": {"200": {"description": "Done", "content": content}}}});
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Sopro",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Needs assessment of families with children (оценка нуждаемости семей с детьми) against a versioned rule set. Every assessment names the rule set, version and digest it was made with, and explains each finding down to the rule, the answers it read and its legal basis.",
        },
        "paths": {
            "/v1/assess": {"post": answers_operation(
                "Assess a family",
                "The answers, assessed by the version in force on their as_of: support level, categories, criteria, urgent services, partners (and those pending consent), deadlines, the draft programme; each with its rules, answers read and legal basis.",
                ty("assessment"),
                json!([query("explain", "`full` (the default) or `brief`: without the answers each finding read and the missing ones", Some(&["full", "brief"]))]),
                Takes::Answers,
            )},
            "/v1/validate": {"post": answers_operation(
                "Check answers without assessing them",
                "Every problem of the answers against the questions of the version in force on their as_of, each with its JSON Pointer; `valid` when there are none.",
                schema_ref("Validation"),
                json!([]),
                Takes::AnyJson,
            )},
            "/v1/relevant": {"post": answers_operation(
                "What a form should show for partial answers",
                "Hidden questions, the open questions (with the values that would change the outcome and what they change), field problems and the live assessment.",
                ty("relevance"),
                json!([]),
                Takes::AnyJson,
            )},
            "/v1/whatif": {"post": answers_operation(
                "What would have to change to reach a goal",
                "The smallest sets (one to three) of changes to the answers the rule set declares changeable that reach the goal; `lower` by default.",
                ty("whatWouldChange"),
                json!([
                    query("to", "`lower`, `higher`, or a level's id", None),
                    query("leave", "A category, criterion, urgent service or partner to leave", None),
                    query("enter", "A category, criterion, urgent service or partner to enter", None),
                ]),
                Takes::Answers,
            )},
            "/v1/batch": {"post": {
                "summary": "Assess a registry: JSON Lines in, JSON Lines out",
                "description": "One family per line in; one line per record out, in order, streamed: `{record, case_id, assessment}` or `{record, case_id, error}` (never an answer value) — the rows of `sopro batch`. A body that breaks off ends with an error row for the record after the last read.",
                "requestBody": {"required": true, "content": {"application/x-ndjson": {"schema": {"type": "string"}}}},
                "responses": with_common({
                    let mut responses = errors(&[("415", "The body is not declared as application/x-ndjson")]);
                    responses.insert("200".into(), json!({"description": "The rows", "content": {"application/x-ndjson": {"schema": {"type": "string"}}}}));
                    responses
                }),
            }},
            "/v1/rulesets": {"get": get_json(
                "The versions loaded",
                json!({"type": "object", "properties": {"versions": {"type": "array", "items": {"type": "object", "description": "id, version, title, digest, status (published or draft), used, in_force {from, to}, base"}}, "loaded_at": {"type": "string"}}}),
                Map::new(),
                json!([]),
            )},
            "/v1/rulesets/{id}/{version}/schema/{kind}": {"get": get_json(
                "The JSON Schema of a version's answers, or of an assessment",
                json!({"type": "object"}),
                not_found.clone(),
                Value::Array(schema_parameters),
            )},
            "/v1/rulesets/{id}/{version}/questions": {"get": get_json(
                "The questions of a version, to render a form from",
                json!({"type": "array", "items": ty("question")}),
                not_found,
                id_version,
            )},
            "/v1/openapi.json": {"get": get_json("This document", json!({"type": "object"}), Map::new(), json!([]))},
            "/healthz": plain("The process answers", json_content(json!({"type": "object"}))),
            "/readyz": {"get": {
                "summary": "Ready once a rule set is loaded; the last reload's outcome",
                "security": [],
                "responses": {
                    "200": {"description": "Ready", "content": json_content(json!({"type": "object"}))},
                    "503": {"description": "Not ready", "content": json_content(json!({"type": "object"}))},
                },
            }},
            "/metrics": {"get": {"summary": "Prometheus metrics", "responses": {"200": {"description": "OpenMetrics text", "content": {"application/openmetrics-text": {"schema": {"type": "string"}}}}}}},
            "/version": {"get": get_json("The service's version and the rules loaded", json!({"type": "object"}), Map::new(), json!([]))},
        },
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "Only when the service is started with --token-file"}},
        },
        "security": [{"bearer": []}, {}],
    })
}
