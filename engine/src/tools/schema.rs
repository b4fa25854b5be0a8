//! JSON Schemas: of a rule file and a test file (from the format types), of the assessment
//! (from its types), and of the answers a rule set accepts (from its questions).

use serde_json::{json, Map, Value};

use crate::compiled::RuleSet;
use crate::format::assessment::Assessment;
use crate::format::model::{Question, QuestionType, RuleFile, TestCase};

/// The JSON Schema of one YAML file of a rule set.
pub fn ruleset_schema() -> Value {
    serde_json::to_value(schemars::schema_for!(RuleFile)).unwrap_or_default()
}

/// The JSON Schema of a test file (`tests/*.yaml`).
pub fn test_file_schema() -> Value {
    serde_json::to_value(schemars::schema_for!(Vec<TestCase>)).unwrap_or_default()
}

/// The JSON Schema of a sample profile (`sample.yaml`, beside the versions of a rule set).
pub fn sample_schema() -> Value {
    serde_json::to_value(schemars::schema_for!(crate::format::sample::SampleProfile)).unwrap_or_default()
}

/// One JSON Schema with every type the browser API returns (`Assessment`, `AssessError`,
/// `Relevance`, `WhatWouldChange`, `Goal`, `TestReport`, `Question`, `Diagnostic`), from which the package's TypeScript
/// definitions are generated.
pub fn api_schema() -> Value {
    let (properties, definitions) = api_types("/$defs");
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "SoproApi",
        "type": "object",
        "properties": properties,
        "$defs": definitions,
    })
}

/// The schemas of the API's types by name (`assessment`, `assessError`, `relevance`…), each a
/// reference into the definitions, and the definitions themselves, placed at
/// `definitions_path` (a JSON Pointer: `/$defs` for a JSON Schema, `/components/schemas` for
/// the HTTP service's OpenAPI document). Draft 2020-12, which OpenAPI 3.1 takes as it is.
pub fn api_types(definitions_path: &'static str) -> (Map<String, Value>, Map<String, Value>) {
    let mut settings = schemars::generate::SchemaSettings::draft2020_12();
    settings.definitions_path = definitions_path.into();
    let mut generator = settings.into_generator();
    let mut properties = Map::new();
    let mut add = |name: &str, schema: schemars::Schema| {
        properties.insert(name.to_owned(), schema.to_value());
    };
    add("assessment", generator.subschema_for::<Assessment>());
    add("assessError", generator.subschema_for::<crate::run::error::AssessError>());
    add("answerProblem", generator.subschema_for::<crate::run::answers::AnswerProblem>());
    add("relevance", generator.subschema_for::<crate::tools::relevance::Relevance>());
    add("whatWouldChange", generator.subschema_for::<crate::tools::whatif::WhatWouldChange>());
    add("goal", generator.subschema_for::<crate::tools::whatif::Goal>());
    add("testReport", generator.subschema_for::<crate::tools::testing::TestReport>());
    add("question", generator.subschema_for::<Question>());
    add("diagnostic", generator.subschema_for::<crate::diagnostic::Diagnostic>());
    add("errorKind", generator.subschema_for::<crate::format::envelope::ErrorKind>());
    add("programmeSheet", generator.subschema_for::<crate::tools::document::ProgrammeSheet>());
    add("history", generator.subschema_for::<crate::format::history::History>());
    let definitions: Map<String, Value> = generator.take_definitions(true).into_iter().collect();
    (properties, definitions)
}

/// The JSON Schema of an assessment.
pub fn assessment_schema() -> Value {
    serde_json::to_value(schemars::schema_for!(Assessment)).unwrap_or_default()
}

/// The JSON Schema of the answers `rules` accepts. It accepts exactly what
/// [`RuleSet::assess`] accepts, except that JSON Schema cannot require a records' `unique`
/// field to differ between records; the engine rejects such duplicates.
pub fn answers_schema(rules: &RuleSet) -> Value {
    let mut schema = object_schema(rules.questions());
    if let Value::Object(map) = &mut schema {
        map.insert("$schema".into(), json!("https://json-schema.org/draft/2020-12/schema"));
        map.insert(
            "title".into(),
            json!(format!("{} {} — {}", rules.id(), rules.version(), rules.title().ru)),
        );
    }
    schema
}

fn object_schema(questions: &[Question]) -> Value {
    let properties: Map<String, Value> =
        questions.iter().map(|q| (q.id.clone(), question_schema(q))).collect();
    let required: Vec<&str> = questions.iter().filter(|q| q.required).map(|q| q.id.as_str()).collect();
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": required,
        "properties": properties,
    })
}

fn question_schema(q: &Question) -> Value {
    let mut schema = match q.kind {
        QuestionType::Bool => json!({"type": "boolean"}),
        QuestionType::Integer => json!({"type": "integer"}),
        QuestionType::Number | QuestionType::Money => json!({"type": "number"}),
        QuestionType::Date => {
            json!({"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"})
        }
        QuestionType::Text => json!({"type": "string"}),
        QuestionType::Enum => json!({"enum": ids(q)}),
        QuestionType::EnumList => json!({"type": "array", "uniqueItems": true, "items": {"enum": ids(q)}}),
        QuestionType::Section => object_schema(&q.questions),
        QuestionType::Records => json!({"type": "array", "items": object_schema(&q.questions)}),
    };
    let Value::Object(map) = &mut schema else { return schema };
    map.insert("title".into(), json!(q.label.ru));
    let mut description = q.label.en.to_string();
    if let Some(help) = &q.help {
        description = format!("{description}. {}", help.en);
    }
    if let Some(unique) = &q.unique {
        description =
            format!("{description}. `{unique}` must differ between records (checked by the engine).");
    }
    map.insert("description".into(), json!(description));
    if let Some(min) = q.min {
        map.insert("minimum".into(), json!(min));
    }
    if let Some(max) = q.max {
        map.insert("maximum".into(), json!(max));
    }
    if let Some(max) = q.max_length {
        map.insert("maxLength".into(), json!(max));
    }
    if let Some(min) = q.min_items {
        map.insert("minItems".into(), json!(min));
    }
    if let Some(max) = q.max_items {
        map.insert("maxItems".into(), json!(max));
    }
    if !q.required {
        allow_null(map);
    }
    schema
}

/// `null` means "not answered", so every optional answer may be `null`.
fn allow_null(map: &mut Map<String, Value>) {
    if let Some(Value::Array(values)) = map.get_mut("enum") {
        values.push(Value::Null);
    } else if let Some(Value::String(ty)) = map.get("type").cloned() {
        map.insert("type".into(), json!([ty, "null"]));
    }
}

fn ids(q: &Question) -> Vec<&str> {
    q.values.iter().map(|v| v.id.as_str()).collect()
}
