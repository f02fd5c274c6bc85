//! JSON Schemas of sigillo's formats, generated from the very types that write and read
//! them, so other tools can check sigillo output without trusting sigillo.
//!
//! The schemas are committed under `docs/schemas/`; a unit test fails when a type changes
//! without the committed schema being regenerated (`SIGILLO_BLESS_SCHEMAS=1 cargo test
//! --lib schemas` rewrites them).

use schemars::{JsonSchema, schema_for};
use serde_json::Value;

use crate::acquire::chat::transcript::Transcript;
use crate::evidence::custody::Record;
use crate::evidence::manifest::Manifest;
use crate::evidence::media::MetadataFile;
use crate::hashlist::HashRow;
use crate::verify::Report;
use crate::verify::token::TokenReport;

/// Every published schema: (file name under `docs/schemas/`, schema).
pub fn all() -> Vec<(&'static str, Value)> {
    vec![
        ("manifest.schema.json", schema::<Manifest>()),
        ("custody-entry.schema.json", schema::<Record>()),
        ("transcript.schema.json", schema::<Transcript>()),
        ("hash-list.schema.json", schema::<Vec<HashRow>>()),
        ("metadata.schema.json", schema::<MetadataFile>()),
        ("verify-report.schema.json", schema::<Report>()),
        ("token-report.schema.json", schema::<TokenReport>()),
        (
            "recheck.schema.json",
            schema::<crate::recheck::compare::RecheckFile>(),
        ),
        (
            "status.schema.json",
            schema::<crate::recheck::timeline::Status>(),
        ),
        (
            "private-part.schema.json",
            schema::<crate::evidence::encryption::PrivatePart>(),
        ),
        ("notice.schema.json", schema::<crate::notice::NoticeDoc>()),
        (
            "navigation-log.schema.json",
            schema::<crate::acquire::web::interactive::NavigationLog>(),
        ),
        (
            "recording-index.schema.json",
            schema::<crate::acquire::web::recording::RecordingIndex>(),
        ),
    ]
}

fn schema<T: JsonSchema>() -> Value {
    serde_json::to_value(schema_for!(T)).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    #[test]
    fn committed_schemas_are_current() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/schemas");
        let bless = std::env::var_os("SIGILLO_BLESS_SCHEMAS").is_some();
        for (name, schema) in super::all() {
            let text = serde_json::to_string_pretty(&schema).unwrap() + "\n";
            let path = dir.join(name);
            if bless {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &text).unwrap();
                continue;
            }
            let committed = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                committed == text,
                "docs/schemas/{name} is out of date: run `SIGILLO_BLESS_SCHEMAS=1 cargo test --lib schemas` and commit it"
            );
        }
    }
}
