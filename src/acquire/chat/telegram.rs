//! Telegram Desktop "Export chat history" in JSON (`result.json`): single-chat exports and
//! full-account exports (`chats.list`), `text` as a string or an array of entities,
//! photos and files, forwards, replies, edits and service messages.

use serde::Deserializer;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::acquire::chat::transcript::{
    Attachment, Message, MessageKind, Sink, SourceRef, Transcript,
};

/// The head of a visitor that takes any JSON value: `Value`, what it expects, and scalar
/// methods that accept any scalar and give `$val` (the shape is not the one looked for:
/// `Value` would index it as null).
macro_rules! any_value {
    ($out:ty, $val:expr, $what:literal) => {
        type Value = $out;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str($what)
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<$out, E> {
            Ok($val)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<$out, E> {
            Ok($val)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<$out, E> {
            Ok($val)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<$out, E> {
            Ok($val)
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<$out, E> {
            Ok($val)
        }
        fn visit_unit<E: de::Error>(self) -> Result<$out, E> {
            Ok($val)
        }
    };
}

/// A visitor as a seed of itself, over any JSON value.
macro_rules! any_seed {
    ($t:ty, $out:ty) => {
        impl<'de> DeserializeSeed<'de> for $t {
            type Value = $out;
            fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<$out, D::Error> {
                d.deserialize_any(self)
            }
        }
    };
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts
            .iter()
            .map(|p| match p {
                Value::String(s) => s.clone(),
                Value::Object(o) => o
                    .get("text")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                _ => String::new(),
            })
            .collect(),
        _ => String::new(),
    }
}

fn chats(root: &Value) -> Vec<&Value> {
    if root["messages"].is_array() {
        return vec![root];
    }
    root["chats"]["list"]
        .as_array()
        .map(|l| l.iter().collect())
        .unwrap_or_default()
}

/// Whether a JSON document looks like a Telegram export.
pub fn looks_like(root: &Value) -> bool {
    (root["messages"].is_array() && (root.get("type").is_some() || root.get("id").is_some()))
        || root["chats"]["list"].is_array()
}

/// Parse a Telegram export held in memory. `media(path)` resolves a relative path in the
/// export. Acquisitions stream instead ([`probe`], then [`stream`]); the messages are
/// made by the same [`message`].
pub fn parse(
    root: &Value,
    file_name: &str,
    media: &dyn Fn(&str) -> Option<(String, String)>,
) -> Transcript {
    let mut messages = Vec::new();
    let mut idx = 0;
    let list = chats(root);
    let multi = list.len() > 1;
    for chat in &list {
        let chat_name = chat["name"].as_str().unwrap_or("");
        for m in chat["messages"].as_array().into_iter().flatten() {
            idx += 1;
            messages.push(message(
                &Fields::of(m),
                idx,
                multi.then_some(chat_name),
                file_name,
                media,
            ));
        }
    }
    let mut t = head(multi, list.first().and_then(|c| c["name"].as_str()));
    t.messages = messages;
    t.finish();
    t
}

/// The transcript header: an account export of several chats, or one chat named `name`.
fn head(multi: bool, name: Option<&str>) -> Transcript {
    let mut t = Transcript::new(
        "telegram-json",
        "`date` is the exporting computer's local time; `timestamp_utc` comes from the export's date_unixtime",
    );
    t.chat_name = if multi {
        Some("Telegram account export".into())
    } else {
        name.map(str::to_string)
    };
    t
}

/// The fields of a message that the transcript uses, each as `Value` indexing gives it
/// (`Null` when absent or when the message is not an object). The streaming pass reads
/// only these (the rest, such as `text_entities`, is skipped without being built).
#[derive(Debug, Default)]
pub struct Fields {
    ty: Value,
    photo: Value,
    file: Value,
    media_type: Value,
    text: Value,
    action: Value,
    actor: Value,
    from: Value,
    date: Value,
    date_unixtime: Value,
    reply_to_message_id: Value,
    forwarded_from: Value,
    edited: Value,
    id: Value,
}

impl Fields {
    const KEYS: [&'static str; 14] = [
        "type",
        "photo",
        "file",
        "media_type",
        "text",
        "action",
        "actor",
        "from",
        "date",
        "date_unixtime",
        "reply_to_message_id",
        "forwarded_from",
        "edited",
        "id",
    ];

    fn slot(&mut self, key: &str) -> Option<&mut Value> {
        Some(match key {
            "type" => &mut self.ty,
            "photo" => &mut self.photo,
            "file" => &mut self.file,
            "media_type" => &mut self.media_type,
            "text" => &mut self.text,
            "action" => &mut self.action,
            "actor" => &mut self.actor,
            "from" => &mut self.from,
            "date" => &mut self.date,
            "date_unixtime" => &mut self.date_unixtime,
            "reply_to_message_id" => &mut self.reply_to_message_id,
            "forwarded_from" => &mut self.forwarded_from,
            "edited" => &mut self.edited,
            "id" => &mut self.id,
            _ => return None,
        })
    }

    /// The fields of a parsed message.
    pub fn of(m: &Value) -> Fields {
        let mut f = Fields::default();
        for k in Fields::KEYS {
            if let (Some(slot), Some(v)) = (f.slot(k), m.get(k)) {
                *slot = v.clone();
            }
        }
        f
    }

    fn photo_or_file(&self, key: &str) -> &Value {
        if key == "photo" {
            &self.photo
        } else {
            &self.file
        }
    }
}

/// Reads one message's [`Fields`] (a later duplicate key wins, as in `Value`).
struct FieldsSeed;

any_seed!(FieldsSeed, Fields);

impl<'de> Visitor<'de> for FieldsSeed {
    any_value!(Fields, Fields::default(), "a message");
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Fields, A::Error> {
        drain_seq(seq)?;
        Ok(Fields::default())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields, A::Error> {
        let mut f = Fields::default();
        while let Some(k) = map.next_key::<std::borrow::Cow<str>>()? {
            match f.slot(&k) {
                Some(slot) => *slot = map.next_value()?,
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(f)
    }
}

/// One message of the export; `chat` is the chat's name when senders are tagged with it
/// (an account export of several chats).
pub fn message(
    m: &Fields,
    idx: usize,
    chat: Option<&str>,
    file_name: &str,
    media: &dyn Fn(&str) -> Option<(String, String)>,
) -> Message {
    let service = m.ty == "service";
    let mut attachments = Vec::new();
    for key in ["photo", "file"] {
        if let Some(p) = m.photo_or_file(key).as_str() {
            let found = media(p);
            attachments.push(Attachment {
                name: p.to_string(),
                present: found.is_some(),
                path: found.as_ref().map(|f| f.0.clone()),
                sha256: found.map(|f| f.1),
                media_type: m
                    .media_type
                    .as_str()
                    .map(str::to_string)
                    .or_else(|| (key == "photo").then(|| "photo".to_string())),
            });
        }
    }
    let mut text = text_of(&m.text);
    if service {
        let action = m.action.as_str().unwrap_or("service");
        text = if text.is_empty() {
            action.to_string()
        } else {
            format!("{action}: {text}")
        };
    }
    let sender = if service {
        m.actor.as_str()
    } else {
        m.from.as_str()
    }
    .map(|s| match chat {
        Some(c) => format!("{s} [{c}]"),
        None => s.to_string(),
    });
    Message {
        index: idx,
        kind: if service {
            MessageKind::System
        } else {
            MessageKind::Message
        },
        timestamp_written: m.date.as_str().unwrap_or("").to_string(),
        timestamp_local: m.date.as_str().map(str::to_string),
        timestamp_utc: m
            .date_unixtime
            .as_str()
            .and_then(|u| u.parse::<i64>().ok())
            .and_then(|u| chrono::DateTime::from_timestamp(u, 0))
            .map(|t| crate::time::rfc3339(&t)),
        sender: if service { None } else { sender },
        text,
        attachments,
        reply_to: m.reply_to_message_id.as_i64(),
        forwarded_from: m.forwarded_from.as_str().map(str::to_string),
        edited: m.edited.as_str().map(str::to_string),
        reactions: Vec::new(),
        mentions: Vec::new(),
        embeds: Vec::new(),
        source: SourceRef {
            file: file_name.to_string(),
            lines: None,
            message_id: m.id.as_i64(),
        },
    }
}

// Streaming: result.json is read twice with serde visitors, never as a whole `Value`.
// The first pass ([`probe`]) learns the shape (one chat or an account export, how many
// chats, the name) and checks the whole document is JSON before anything is written; the
// second ([`stream`]) deserialises one message at a time (a `Value` per message) and hands
// it to the sink. A document with a key twice is read as `Value` would for the shape (the
// last wins) but its messages are streamed for every occurrence; Telegram writes each key
// once. In an account export, a chat's `name` comes before its `messages` (as Telegram
// writes it); a name written after them does not tag their senders.

/// The shape of an export, from the first pass.
#[derive(Debug, Default, Clone)]
pub struct Probe {
    /// `messages` at the top is an array (a single-chat export).
    single: bool,
    /// `type` or `id` at the top.
    typed: bool,
    /// `chats.list`: how many chats, when it is an array.
    list: Option<usize>,
    /// The top-level `name` (single chat), or the first chat's name (account export).
    name: Option<String>,
    first_chat_name: Option<String>,
}

impl Probe {
    /// Whether this is a Telegram export (the same test as [`looks_like`]).
    pub fn looks_like(&self) -> bool {
        (self.single && self.typed) || self.list.is_some()
    }

    fn multi(&self) -> bool {
        !self.single && self.list.unwrap_or(0) > 1
    }

    /// The transcript header.
    pub fn head(&self) -> Transcript {
        let name = if self.single {
            self.name.as_deref()
        } else {
            self.first_chat_name.as_deref()
        };
        head(self.multi(), name)
    }
}

/// The first pass over a whole document.
pub fn probe(r: impl std::io::Read) -> serde_json::Result<Probe> {
    let mut de = serde_json::Deserializer::from_reader(r);
    let p = ProbeRoot.deserialize(&mut de)?;
    de.end()?;
    Ok(p)
}

/// The second pass: every message, in order, into `sink`.
pub fn stream(
    r: impl std::io::Read,
    probe: &Probe,
    file_name: &str,
    media: &dyn Fn(&str) -> Option<(String, String)>,
    sink: &mut dyn Sink,
) -> std::result::Result<(), StreamError> {
    let mut st = State {
        idx: 0,
        single: probe.single,
        multi: probe.multi(),
        file_name,
        media,
        sink,
        failed: None,
    };
    let mut de = serde_json::Deserializer::from_reader(r);
    let res = StreamRoot(&mut st)
        .deserialize(&mut de)
        .and_then(|_| de.end());
    match (st.failed.take(), res) {
        (Some(e), _) => Err(StreamError::Sink(e)),
        (None, Err(e)) => Err(StreamError::Json(e)),
        (None, Ok(())) => Ok(()),
    }
}

/// The length of an array (`None` for any other value), its elements skipped.
pub fn array_length<'de, D: Deserializer<'de>>(d: D) -> Result<Option<usize>, D::Error> {
    Length.deserialize(d)
}

/// Every element of the array under the top-level `key` of a document, in order, into `f`
/// (one `Value` at a time); anything else is skipped.
pub fn stream_top_array(
    r: impl std::io::Read,
    key: &str,
    f: &mut dyn FnMut(Value) -> crate::error::Result<()>,
) -> std::result::Result<(), StreamError> {
    let mut failed = None;
    let mut de = serde_json::Deserializer::from_reader(r);
    let res = TopArray {
        key,
        f,
        failed: &mut failed,
    }
    .deserialize(&mut de)
    .and_then(|_| de.end());
    match (failed, res) {
        (Some(e), _) => Err(StreamError::Sink(e)),
        (None, Err(e)) => Err(StreamError::Json(e)),
        (None, Ok(())) => Ok(()),
    }
}

struct TopArray<'k, 'f> {
    key: &'k str,
    f: &'f mut dyn FnMut(Value) -> crate::error::Result<()>,
    failed: &'f mut Option<crate::error::Error>,
}

any_seed!(TopArray<'_, '_>, ());

impl<'de> Visitor<'de> for TopArray<'_, '_> {
    any_value!((), (), "a JSON document");
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        drain_seq(seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let TopArray { key, f, failed } = self;
        while let Some(k) = map.next_key::<std::borrow::Cow<str>>()? {
            if k == key {
                map.next_value_seed(Elements {
                    f: &mut *f,
                    failed: &mut *failed,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

struct Elements<'f> {
    f: &'f mut dyn FnMut(Value) -> crate::error::Result<()>,
    failed: &'f mut Option<crate::error::Error>,
}

any_seed!(Elements<'_>, ());

impl<'de> Visitor<'de> for Elements<'_> {
    any_value!((), (), "an array");
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(v) = seq.next_element::<Value>()? {
            if let Err(e) = (self.f)(v) {
                *self.failed = Some(e);
                return Err(de::Error::custom("the transcript could not be written"));
            }
        }
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        drain_map(map)
    }
}

/// Why [`stream`] stopped.
#[derive(Debug)]
pub enum StreamError {
    /// The document is not valid JSON (it changed since the first pass).
    Json(serde_json::Error),
    /// The sink failed (writing the transcript).
    Sink(crate::error::Error),
}

struct State<'a> {
    idx: usize,
    single: bool,
    multi: bool,
    file_name: &'a str,
    media: &'a dyn Fn(&str) -> Option<(String, String)>,
    sink: &'a mut dyn Sink,
    failed: Option<crate::error::Error>,
}

fn drain_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

fn drain_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

struct ProbeRoot;

any_seed!(ProbeRoot, Probe);

impl<'de> Visitor<'de> for ProbeRoot {
    any_value!(Probe, Probe::default(), "a JSON document");
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Probe, A::Error> {
        drain_seq(seq)?;
        Ok(Probe::default())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Probe, A::Error> {
        let mut p = Probe::default();
        let mut typed = (false, false);
        while let Some(k) = map.next_key::<std::borrow::Cow<str>>()? {
            match k.as_ref() {
                "messages" => p.single = map.next_value_seed(Length)?.is_some(),
                "type" | "id" => {
                    map.next_value::<IgnoredAny>()?;
                    if k == "type" {
                        typed.0 = true;
                    } else {
                        typed.1 = true;
                    }
                }
                "name" => p.name = map.next_value::<Value>()?.as_str().map(str::to_string),
                "chats" => {
                    let (list, first) = map.next_value_seed(ProbeChats)?;
                    p.list = list;
                    p.first_chat_name = first;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        p.typed = typed.0 || typed.1;
        Ok(p)
    }
}

/// The length of an array (`None` for anything else), elements skipped.
struct Length;

any_seed!(Length, Option<usize>);

impl<'de> Visitor<'de> for Length {
    any_value!(Option<usize>, None, "any JSON value");
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Option<usize>, A::Error> {
        let mut n = 0;
        while seq.next_element::<IgnoredAny>()?.is_some() {
            n += 1;
        }
        Ok(Some(n))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Option<usize>, A::Error> {
        drain_map(map)?;
        Ok(None)
    }
}

/// `chats`: the length of `list` and its first chat's name.
struct ProbeChats;

any_seed!(ProbeChats, (Option<usize>, Option<String>));

impl<'de> Visitor<'de> for ProbeChats {
    any_value!(
        (Option<usize>, Option<String>),
        (None, None),
        "any JSON value"
    );
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        drain_seq(seq)?;
        Ok((None, None))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = (None, None);
        while let Some(k) = map.next_key::<std::borrow::Cow<str>>()? {
            if k == "list" {
                out = map.next_value_seed(ProbeList)?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(out)
    }
}

/// `chats.list`: its length and the first chat's name.
struct ProbeList;

any_seed!(ProbeList, (Option<usize>, Option<String>));

impl<'de> Visitor<'de> for ProbeList {
    any_value!(
        (Option<usize>, Option<String>),
        (None, None),
        "any JSON value"
    );
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut n = 0;
        let mut first = None;
        if let Some(name) = seq.next_element_seed(ChatName)? {
            n += 1;
            first = name;
        }
        while seq.next_element::<IgnoredAny>()?.is_some() {
            n += 1;
        }
        Ok((Some(n), first))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        drain_map(map)?;
        Ok((None, None))
    }
}

/// A chat's `name` (a string), everything else skipped.
struct ChatName;

any_seed!(ChatName, Option<String>);

impl<'de> Visitor<'de> for ChatName {
    any_value!(Option<String>, None, "any JSON value");
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Option<String>, A::Error> {
        drain_seq(seq)?;
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<String>, A::Error> {
        let mut name = None;
        while let Some(k) = map.next_key::<std::borrow::Cow<str>>()? {
            if k == "name" {
                name = map.next_value::<Value>()?.as_str().map(str::to_string);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(name)
    }
}

/// The second pass at the top: the chat's `messages`, or `chats.list`.
struct StreamRoot<'s, 'a>(&'s mut State<'a>);

any_seed!(StreamRoot<'_, '_>, ());

impl<'de> Visitor<'de> for StreamRoot<'_, '_> {
    any_value!((), (), "a Telegram export");
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        drain_seq(seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let st = self.0;
        while let Some(k) = map.next_key::<std::borrow::Cow<str>>()? {
            match k.as_ref() {
                "messages" if st.single => map.next_value_seed(Messages(st, None))?,
                "chats" if !st.single => map.next_value_seed(Chats(st))?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// `chats` → `list` → each chat.
struct Chats<'s, 'a>(&'s mut State<'a>);

any_seed!(Chats<'_, '_>, ());

impl<'de> Visitor<'de> for Chats<'_, '_> {
    any_value!((), (), "chats");
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        drain_seq(seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let st = self.0;
        while let Some(k) = map.next_key::<std::borrow::Cow<str>>()? {
            if k == "list" {
                map.next_value_seed(List(st))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

struct List<'s, 'a>(&'s mut State<'a>);

any_seed!(List<'_, '_>, ());

impl<'de> Visitor<'de> for List<'_, '_> {
    any_value!((), (), "a list of chats");
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let st = self.0;
        while seq.next_element_seed(Chat(st))?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        drain_map(map)
    }
}

struct Chat<'s, 'a>(&'s mut State<'a>);

any_seed!(Chat<'_, '_>, ());

impl<'de> Visitor<'de> for Chat<'_, '_> {
    any_value!((), (), "a chat");
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        drain_seq(seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let st = self.0;
        let mut name = String::new();
        while let Some(k) = map.next_key::<std::borrow::Cow<str>>()? {
            match k.as_ref() {
                "name" => {
                    name = map
                        .next_value::<Value>()?
                        .as_str()
                        .unwrap_or("")
                        .to_string();
                }
                "messages" => {
                    let tag = st.multi.then(|| name.clone());
                    map.next_value_seed(Messages(st, tag))?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// A chat's `messages`: each one made and handed to the sink as soon as it is read.
struct Messages<'s, 'a>(&'s mut State<'a>, Option<String>);

any_seed!(Messages<'_, '_>, ());

impl<'de> Visitor<'de> for Messages<'_, '_> {
    any_value!((), (), "messages");
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Messages(st, tag) = self;
        while let Some(v) = seq.next_element_seed(FieldsSeed)? {
            st.idx += 1;
            let m = message(&v, st.idx, tag.as_deref(), st.file_name, st.media);
            if let Err(e) = st.sink.push(m) {
                st.failed = Some(e);
                return Err(de::Error::custom("the transcript could not be written"));
            }
        }
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        drain_map(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SINGLE: &str = r#"{"name":"Anna <b>","type":"personal_chat","id":1,"messages":[
        {"id":1,"type":"message","date":"2024-01-01T10:00:00","date_unixtime":"1704103200","from":"Anna","text":"ciao"},
        {"id":2,"type":"message","date":"2024-01-01T10:01:00","from":"Marco","text":["a ",{"type":"bold","text":"b"}],"photo":"photos/p.jpg","reply_to_message_id":1,"edited":"2024-01-01T10:02:00"},
        {"id":3,"type":"service","date":"2024-01-01T10:03:00","actor":"Anna","action":"pin_message","text":""},
        {"id":4,"type":"message","date":"2024-01-01T10:04:00","from":"Anna","text":"x","file":"files/gone.pdf","media_type":"document","forwarded_from":"Z"},
        17, null, []
    ]}"#;
    const ACCOUNT: &str = r#"{"about":"x","chats":{"about":"y","list":[
        {"name":"One","type":"personal_chat","id":1,"messages":[{"id":1,"type":"message","date":"2024-01-01T10:00:00","from":"Anna","text":"hi"}]},
        {"name":"Two","type":"personal_chat","id":2,"messages":[{"id":1,"type":"message","date":"2024-01-02T10:00:00","from":"Anna","text":"hey"},{"id":2,"type":"message","date":"2024-01-02T10:01:00","from":"Bo","text":"yo"}]},
        {"name":"Three","messages":"not a list"},
        5
    ]}}"#;
    const ACCOUNT_ONE: &str = r#"{"chats":{"list":[{"name":"Only","messages":[{"id":9,"type":"message","date":"d","from":"A","text":"t"}]}]}}"#;

    fn media(p: &str) -> Option<(String, String)> {
        (p == "photos/p.jpg").then(|| ("original/photos/p.jpg".into(), "cd".repeat(32)))
    }

    #[test]
    fn streamed_transcripts_equal_the_value_path() {
        for doc in [SINGLE, ACCOUNT, ACCOUNT_ONE] {
            let root: Value = serde_json::from_str(doc).unwrap();
            assert!(looks_like(&root));
            let old = parse(&root, "result.json", &media);
            let probe = probe(doc.as_bytes()).unwrap();
            assert!(probe.looks_like());
            crate::acquire::chat::transcript::assert_streams_as(&old, &mut |w| {
                stream(doc.as_bytes(), &probe, "result.json", &media, w).unwrap();
                Ok(probe.head())
            });
        }
    }

    #[test]
    fn probe_tells_what_is_not_an_export() {
        for doc in [
            r#"{"messages":[]}"#,
            "[1,2]",
            "3",
            r#"{"chats":{"list":{}}}"#,
        ] {
            let root: Value = serde_json::from_str(doc).unwrap();
            assert_eq!(
                probe(doc.as_bytes()).unwrap().looks_like(),
                looks_like(&root),
                "{doc}"
            );
        }
        assert!(probe(&b"{\"messages\": [1,"[..]).is_err());
        assert!(probe(&b"{} trailing"[..]).is_err());
    }
}
