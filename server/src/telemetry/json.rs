//! `--log-format json`: every event as one JSON object on one line.
//!
//! ```text
//! {"timestamp":"2026-01-02T03:04:05.678Z","level":"INFO","target":"regboard_server::http::request_id",
//!  "message":"request","request_id":"3f…","method":"GET","path":"/registries","route":"/registries",
//!  "status":200,"millis":4.2}
//! ```
//!
//! The fields of the spans around the event come first, outermost span
//! first (the request span gives `request_id`, `method`, `path`, `route`),
//! then the event's own fields, which win on a clash. Only what the code
//! records as a field is written, so this format shows nothing the text
//! format does not.

use std::io::Write;

use chrono::SecondsFormat;
use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

/// The layer; `make_writer` gives the sink of each line (stderr in
/// production, a buffer in tests).
pub struct JsonLayer<W> {
    make_writer: W,
}

impl<W> JsonLayer<W> {
    /// A layer writing to `make_writer`.
    pub fn new(make_writer: W) -> Self {
        Self { make_writer }
    }
}

/// The recorded fields of a span, kept in its extensions.
#[derive(Default)]
struct Fields(Map<String, Value>);

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.into());
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().to_owned(), value.into());
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().to_owned(), value.into());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_owned(), value.into());
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        // NaN and infinities have no JSON number: written as text.
        let value = serde_json::Number::from_f64(value)
            .map_or_else(|| Value::String(value.to_string()), Value::Number);
        self.0.insert(field.name().to_owned(), value);
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.0
            .insert(field.name().to_owned(), value.to_string().into());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        // `%value` fields and the message arrive here already formatted.
        self.0
            .insert(field.name().to_owned(), format!("{value:?}").into());
    }
}

impl<S, W> Layer<S> for JsonLayer<W>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: for<'w> MakeWriter<'w> + 'static,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(fields);
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            if let Some(fields) = span.extensions_mut().get_mut::<Fields>() {
                values.record(fields);
            }
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let metadata = event.metadata();
        let mut line = Map::new();
        line.insert(
            "timestamp".into(),
            chrono::Utc::now()
                .to_rfc3339_opts(SecondsFormat::Millis, true)
                .into(),
        );
        line.insert("level".into(), metadata.level().as_str().into());
        line.insert("target".into(), metadata.target().into());
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope.from_root() {
                if let Some(fields) = span.extensions().get::<Fields>() {
                    line.extend(fields.0.clone());
                }
            }
        }
        let mut own = Fields::default();
        event.record(&mut own);
        // Records of the `log` crate arrive with their origin as fields.
        if let Some(target) = own.0.remove("log.target") {
            line.insert("target".into(), target);
        }
        own.0.retain(|key, _| !key.starts_with("log."));
        line.extend(own.0);
        // Every line has a message, even an event of fields only (sqlx's
        // query events), so a shipper can rely on the key.
        line.entry("message").or_insert_with(|| "".into());
        let mut text = Value::Object(line).to_string();
        text.push('\n');
        // One write per line, so lines from different threads never mix.
        let _ = self
            .make_writer
            .make_writer_for(metadata)
            .write_all(text.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    /// A writer into a shared buffer.
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Buffer {
        type Writer = Buffer;

        fn make_writer(&'a self) -> Self::Writer {
            self.clone()
        }
    }

    fn lines_of(work: impl FnOnce()) -> Vec<Map<String, Value>> {
        let buffer = Buffer::default();
        let subscriber = tracing_subscriber::registry().with(JsonLayer::new(buffer.clone()));
        tracing::subscriber::with_default(subscriber, work);
        let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        text.lines()
            .map(|l| match serde_json::from_str(l) {
                Ok(Value::Object(map)) => map,
                other => panic!("not one JSON object: {l:?} ({other:?})"),
            })
            .collect()
    }

    #[test]
    fn an_event_in_a_request_span_carries_the_request_fields() {
        let lines = lines_of(|| {
            let span = tracing::info_span!(
                "request",
                request_id = "abc123",
                method = "GET",
                path = "/registries/ns/a/b",
                route = tracing::field::Empty
            );
            span.record("route", "/registries/ns/{namespace}/{name}");
            span.in_scope(|| tracing::info!(status = 200u16, millis = 1.5, "request"));
        });
        assert_eq!(lines.len(), 1);
        let line = &lines[0];
        assert_eq!(line["level"], "INFO");
        assert_eq!(line["message"], "request");
        assert_eq!(line["request_id"], "abc123");
        assert_eq!(line["method"], "GET");
        assert_eq!(line["route"], "/registries/ns/{namespace}/{name}");
        assert_eq!(line["status"], 200);
        assert_eq!(line["millis"], 1.5);
        let timestamp = line["timestamp"].as_str().unwrap();
        chrono::DateTime::parse_from_rfc3339(timestamp).expect("an RFC 3339 timestamp");
    }

    #[test]
    fn a_message_with_newlines_and_quotes_stays_one_line() {
        let lines = lines_of(|| {
            let name = "a \"quoted\"\nname";
            tracing::warn!(error = %"x\ny", "cannot read {name}");
        });
        assert_eq!(lines.len(), 1, "one line per event");
        assert_eq!(lines[0]["message"], "cannot read a \"quoted\"\nname");
        assert_eq!(lines[0]["error"], "x\ny");
        assert_eq!(lines[0]["level"], "WARN");
    }

    #[test]
    fn an_event_without_a_message_still_has_the_key() {
        let lines = lines_of(|| tracing::debug!(rows = 3u64));
        assert_eq!(lines[0]["message"], "");
        assert_eq!(lines[0]["rows"], 3);
    }

    #[test]
    fn the_events_own_field_wins_over_a_span_field() {
        let lines = lines_of(|| {
            let outer = tracing::info_span!("outer", status = "outer", kept = 1u64);
            let _o = outer.enter();
            tracing::error!(status = 503u16, "failed");
        });
        assert_eq!(lines[0]["status"], 503);
        assert_eq!(lines[0]["kept"], 1);
    }
}
