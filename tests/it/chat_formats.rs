//! The chat formats of issue 18: Instagram/Messenger (mojibake, BOM, newest first, unsent),
//! Discord, Signal, Telegram HTML (same transcript as the JSON export) and WhatsApp's
//! localised markers. Every sample is written here from the public format descriptions.

use serde_json::Value;

use crate::util::*;

/// The only item of a one-item bundle: (manifest, transcript, transcript.html, zip members).
fn sealed(d: &Dir, input: &str, extra: &[&str]) -> (Value, Value, String) {
    let _ = std::fs::remove_file(d.join("case.zip"));
    let mut args = vec![input, "-o", "case.zip", "--key", "k.pem"];
    args.extend_from_slice(extra);
    let r = d.add(&args);
    r.assert_exit(0);
    assert_eq!(d.sigillo(&["verify", "case.zip"]).code, 0);
    let zip = d.zip("case.zip");
    let find = |suffix: &str| {
        zip.iter()
            .find(|(n, _)| n.ends_with(suffix))
            .unwrap_or_else(|| panic!("no {suffix}"))
            .1
            .clone()
    };
    (
        serde_json::from_slice(&find("/manifest.json")).unwrap(),
        serde_json::from_slice(&find("derived/transcript.json")).unwrap(),
        String::from_utf8(find("derived/transcript.html")).unwrap(),
    )
}

fn msgs(t: &Value) -> &Vec<Value> {
    t["messages"].as_array().unwrap()
}

fn file_of<'a>(m: &'a Value, path: &str) -> &'a Value {
    m["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("{path} not in the manifest"))
}

/// A tiny valid PNG (1×1).
fn png() -> Vec<u8> {
    let mut v = Vec::new();
    let img = image::RgbImage::from_pixel(8, 8, image::Rgb([200, 10, 10]));
    img.write_to(&mut std::io::Cursor::new(&mut v), image::ImageFormat::Png)
        .unwrap();
    v
}

// Meta writes every non-ASCII byte of UTF-8 as a \u00XX escape: "perchè" is
// "perch\u00c3\u00a8", 😀 is "\u00f0\u009f\u0098\u0080".
const META_NEW: &str = "\u{feff}{\n  \"participants\": [{\"name\": \"Giulia Bianchi\"}, {\"name\": \"Marco N\\u00c3\\u00a9ri\"}],\n  \"messages\": [\n    {\"sender_name\": \"Marco N\\u00c3\\u00a9ri\", \"timestamp_ms\": 1795201980000, \"content\": \"You unsent a message\", \"is_unsent\": true, \"is_geoblocked_for_viewer\": false},\n    {\"sender_name\": \"Giulia Bianchi\", \"timestamp_ms\": 1795201860000, \"content\": \"perch\\u00c3\\u00a8 l'hai mandata? \\u00f0\\u009f\\u0098\\u00a1\", \"reactions\": [{\"reaction\": \"\\u00f0\\u009f\\u0098\\u00a2\", \"actor\": \"Marco N\\u00c3\\u00a9ri\"}], \"is_geoblocked_for_viewer\": false},\n    {\"sender_name\": \"Marco N\\u00c3\\u00a9ri\", \"timestamp_ms\": 1795201800000, \"photos\": [{\"uri\": \"your_instagram_activity/messages/inbox/marconeri_1234/photos/111.jpg\", \"creation_timestamp\": 1795201800}], \"videos\": [{\"uri\": \"your_instagram_activity/messages/inbox/marconeri_1234/videos/222.mp4\"}], \"is_geoblocked_for_viewer\": false}\n  ],\n  \"title\": \"Marco N\\u00c3\\u00a9ri\",\n  \"is_still_participant\": true,\n  \"thread_path\": \"inbox/marconeri_1234\"\n}\n";
const META_OLD: &str = "{\"participants\": [{\"name\": \"Giulia Bianchi\"}, {\"name\": \"Marco N\\u00c3\\u00a9ri\"}], \"messages\": [{\"sender_name\": \"Giulia Bianchi\", \"timestamp_ms\": 1795201200000, \"content\": \"ciao\", \"is_geoblocked_for_viewer\": false}, {\"sender_name\": \"Marco N\\u00c3\\u00a9ri\", \"timestamp_ms\": 1795201100000, \"content\": \"Guarda\\nqui\", \"share\": {\"link\": \"https://example.invalid/x\"}, \"is_geoblocked_for_viewer\": false}], \"title\": \"Marco N\\u00c3\\u00a9ri\", \"thread_path\": \"inbox/marconeri_1234\"}";

#[test]
fn instagram_thread_folder_oldest_first_mojibake_decoded_originals_kept() {
    let d = Dir::new();
    d.key("k.pem", "K");
    d.write("marconeri_1234/message_1.json", META_NEW);
    d.write("marconeri_1234/message_2.json", META_OLD);
    d.write("marconeri_1234/photos/111.jpg", png());
    let r = d.add(&["marconeri_1234", "-o", "probe.zip", "--key", "k.pem"]);
    assert!(r.stderr.contains("Instagram"), "{}", r.stderr);
    let (m, t, html) = sealed(&d, "marconeri_1234", &[]);
    assert_eq!(t["source_format"], "instagram-json");
    assert_eq!(t["chat_name"], "Marco Néri");
    assert_eq!(
        t["participants"],
        serde_json::json!(["Giulia Bianchi", "Marco Néri"])
    );
    let ms = msgs(&t);
    assert_eq!(ms.len(), 5);
    // Oldest first, across message_2.json then message_1.json, each read backwards.
    let texts: Vec<&str> = ms.iter().map(|x| x["text"].as_str().unwrap()).collect();
    assert_eq!(texts[0], "Guarda\nqui");
    assert_eq!(texts[1], "ciao");
    assert_eq!(texts[3], "perchè l'hai mandata? 😡");
    assert_eq!(ms[0]["embeds"][0]["url"], "https://example.invalid/x");
    assert_eq!(ms[3]["reactions"][0]["emoji"], "😢");
    assert_eq!(ms[3]["reactions"][0]["by"][0], "Marco Néri");
    assert_eq!(ms[4]["kind"], "deleted");
    assert_eq!(ms[1]["timestamp_utc"], "2026-11-20T19:00:00.000Z");
    assert_eq!(
        ms[1]["source"]["file"],
        "inbox/marconeri_1234/message_2.json"
    );
    // The photo resolves (a uri from the archive root) and is hashed; the video is missing.
    let photo = &ms[2]["attachments"][0];
    assert_eq!(photo["present"], true);
    assert_eq!(
        photo["sha256"],
        file_of(&m, photo["path"].as_str().unwrap())["sha256"]
    );
    assert_eq!(ms[2]["attachments"][1]["present"], false);
    assert_eq!(t["summary"]["missing_media"].as_array().unwrap().len(), 1);
    let tr = t["transformations"].as_array().unwrap();
    assert!(
        tr.iter()
            .any(|x| x.as_str().unwrap().contains("oldest first"))
    );
    assert!(tr.iter().any(|x| x.as_str().unwrap().contains("mojibake")));
    assert!(m["transformations"].to_string().contains("mojibake"));
    // The export's bytes, BOM and escapes included, are stored unchanged.
    let orig = member(&d.join("case.zip"), "original/message_1.json");
    assert_eq!(orig, META_NEW.as_bytes());
    assert!(html.contains("perchè"));
}

#[test]
fn messenger_zip_and_single_file() {
    let d = Dir::new();
    d.key("k.pem", "K");
    let fb = META_OLD.replace(
        "\"thread_path\"",
        "\"thread_type\": \"Regular\", \"thread_path\"",
    );
    write_zip(
        &d.join("facebook-giulia.zip"),
        &[
            (
                "your_activity_across_facebook/messages/inbox/marco_1/message_1.json".into(),
                fb.clone().into_bytes(),
            ),
            (
                "your_activity_across_facebook/messages/inbox/marco_1/photos/1.png".into(),
                png(),
            ),
        ],
    );
    let (_, t, _) = sealed(&d, "facebook-giulia.zip", &[]);
    assert_eq!(t["source_format"], "messenger-json");
    assert_eq!(msgs(&t).len(), 2);
    assert_eq!(msgs(&t)[0]["text"], "Guarda\nqui");
    // One message_1.json on its own, forced.
    d.write("one/message_1.json", META_NEW);
    let (_, t, _) = sealed(&d, "one/message_1.json", &["--as", "chat-instagram"]);
    assert_eq!(msgs(&t).len(), 3);
    assert_eq!(t["summary"]["missing_media"].as_array().unwrap().len(), 2);
    // A damaged file is an error naming it, and nothing is written.
    d.write(
        "bad/message_1.json",
        "{\"participants\": [], \"messages\": [\n{\"sender_name\": ",
    );
    let r = d.sigillo(&[
        "add",
        "bad",
        "-o",
        "bad.zip",
        "--key",
        "k.pem",
        "--as",
        "chat-messenger",
    ]);
    r.assert_exit(2);
    assert!(
        r.stderr.contains("message_1.json") && r.stderr.contains("line 2"),
        "{}",
        r.stderr
    );
    assert!(!d.join("bad.zip").exists());
}

const DISCORD: &str = r#"{
  "guild": {"id": "0", "name": "Direct Messages", "iconUrl": "https://cdn.discordapp.com/embed/avatars/0.png"},
  "channel": {"id": "800000000000000001", "type": "DirectTextChat", "categoryId": null, "category": "Private", "name": "troll42", "topic": null},
  "dateRange": {"after": null, "before": null},
  "exportedAt": "2026-11-21T10:00:00.000+01:00",
  "messages": [
    {"id": "900000000000000001", "type": "Default", "timestamp": "2026-11-20T21:00:00.123+01:00", "timestampEdited": "2026-11-20T21:05:00+01:00", "callEndedTimestamp": null, "isPinned": false,
     "content": "look what I have", "author": {"id": "1", "name": "troll42", "discriminator": "0000", "nickname": "Troll", "color": null, "isBot": false, "roles": [], "avatarUrl": "x"},
     "attachments": [{"id": "5", "url": "dm.json_Files/photo-5A1B2.png", "fileName": "photo.png", "fileSizeBytes": 100},
                     {"id": "6", "url": "https://cdn.discordapp.com/attachments/1/6/video.mp4", "fileName": "video.mp4", "fileSizeBytes": 200}],
     "embeds": [{"title": "A page", "url": "https://example.invalid/p", "timestamp": null, "description": "<b>not markup</b>", "thumbnail": null, "images": [], "fields": []}],
     "stickers": [], "reactions": [{"emoji": {"id": null, "name": "😂", "code": "joy", "isAnimated": false, "imageUrl": "x"}, "count": 2, "users": [{"id": "1", "name": "troll42", "discriminator": "0000", "nickname": "Troll", "isBot": false}]}],
     "mentions": [{"id": "2", "name": "giulia", "discriminator": "0000", "nickname": "Giulia", "isBot": false}], "inlineEmojis": []},
    {"id": "900000000000000002", "type": "Reply", "timestamp": "2026-11-20T21:06:00+01:00", "timestampEdited": null, "callEndedTimestamp": null, "isPinned": false,
     "content": "delete it\nnow", "author": {"id": "2", "name": "giulia", "discriminator": "0000", "nickname": "Giulia", "color": null, "isBot": false, "roles": [], "avatarUrl": "x"},
     "attachments": [], "embeds": [], "stickers": [], "reactions": [], "mentions": [], "reference": {"messageId": "900000000000000001", "channelId": "800000000000000001", "guildId": null}},
    {"id": "900000000000000003", "type": "Call", "timestamp": "2026-11-20T22:00:00+01:00", "timestampEdited": null, "callEndedTimestamp": "2026-11-20T22:10:00+01:00", "isPinned": false,
     "content": "", "author": {"id": "1", "name": "troll42", "discriminator": "0000", "nickname": null, "color": null, "isBot": false, "roles": [], "avatarUrl": "x"},
     "attachments": [], "embeds": [], "stickers": [], "reactions": [], "mentions": []}
  ],
  "messageCount": 3
}"#;

#[test]
fn discord_dm_with_media_folder() {
    let d = Dir::new();
    d.key("k.pem", "K");
    d.write("export/dm.json", DISCORD);
    d.write("export/dm.json_Files/photo-5A1B2.png", png());
    let (m, t, html) = sealed(&d, "export/dm.json", &[]);
    assert_eq!(t["source_format"], "discord-json");
    assert_eq!(t["chat_name"], "troll42");
    let ms = msgs(&t);
    assert_eq!(ms[0]["sender"], "Troll (troll42)");
    assert_eq!(ms[0]["timestamp_local"], "2026-11-20T21:00:00");
    assert_eq!(ms[0]["timestamp_utc"], "2026-11-20T20:00:00.123Z");
    assert_eq!(ms[0]["edited"], "2026-11-20T21:05:00+01:00");
    assert_eq!(ms[0]["source"]["message_id"], 900000000000000001i64);
    let a = &ms[0]["attachments"];
    assert_eq!(a[0]["present"], true);
    assert_eq!(
        a[0]["sha256"],
        file_of(&m, a[0]["path"].as_str().unwrap())["sha256"]
    );
    assert_eq!(a[1]["present"], false, "a remote URL is never fetched");
    assert_eq!(ms[0]["embeds"][0]["title"], "A page");
    assert_eq!(ms[0]["reactions"][0]["count"], 2);
    assert_eq!(ms[0]["mentions"][0], "Giulia (giulia)");
    assert_eq!(ms[1]["reply_to"], 900000000000000001i64);
    assert_eq!(ms[1]["text"], "delete it\nnow");
    assert_eq!(ms[2]["kind"], "system");
    assert!(ms[2]["text"].as_str().unwrap().starts_with("call"));
    assert!(!html.contains("<b>not markup</b>") && html.contains("&lt;b&gt;not markup"));
    // A server channel names guild, category and channel.
    let server = DISCORD
        .replace("\"Direct Messages\"", "\"Scuola\"")
        .replace("\"troll42\", \"topic\"", "\"generale\", \"topic\"");
    d.write("srv.json", server);
    let (_, t, _) = sealed(&d, "srv.json", &[]);
    assert_eq!(t["chat_name"], "Scuola / Private / #generale");
}

const SIGNAL: &str = "[2019-12-24, 12:23] Anna: ciao\n[2019-12-24, 12:24] Bruno: first line\nsecond line\n\n[2019-12-24, 12:30] Bruno: ![photo](media/2019-12-24-photo.jpg)\n[2019-12-24 12:31] Anna: [file](media/missing.pdf)\n";

#[test]
fn signal_text_export() {
    let d = Dir::new();
    d.key("k.pem", "K");
    d.write("signal/chat.md", SIGNAL);
    d.write("signal/media/2019-12-24-photo.jpg", png());
    let r = d.add(&["signal/chat.md", "-o", "probe.zip", "--key", "k.pem"]);
    assert!(r.stderr.contains("Signal"), "{}", r.stderr);
    let (_, t, _) = sealed(&d, "signal", &[]);
    assert_eq!(t["source_format"], "signal-text");
    let ms = msgs(&t);
    assert_eq!(ms.len(), 4);
    assert_eq!(ms[1]["text"], "first line\nsecond line\n");
    assert_eq!(ms[1]["source"]["lines"], serde_json::json!([2, 4]));
    assert_eq!(ms[0]["timestamp_local"], "2019-12-24T12:23:00");
    assert_eq!(ms[2]["attachments"][0]["present"], true);
    assert_eq!(ms[3]["attachments"][0]["present"], false);
    assert_eq!(t["summary"]["missing_media"][0], "media/missing.pdf");
}

/// The HTML export of the chat in samples/chat/telegram-export (as Telegram Desktop writes
/// it: page header, day separator, joined messages, a reply link, a forward, media).
const TG_HTML: &str = r##"<!DOCTYPE html>
<html>
 <head>
  <meta charset="utf-8"/>
<title>Exported Data</title>
  <link href="css/style.css" rel="stylesheet"/>
 </head>
 <body onload="CheckLocation();">
  <div class="page_wrap">
   <div class="page_header">
    <div class="content">
     <div class="text bold">
Marco X
     </div>
    </div>
   </div>
   <div class="page_body chat_page">
    <div class="history">
     <div class="message service" id="message-1">
      <div class="body details">
20 November 2026
      </div>
     </div>
     <div class="message service" id="message1">
      <div class="body details">
Giulia called you
      </div>
     </div>
     <div class="message default clearfix" id="message2">
      <div class="pull_left userpic_wrap"><div class="userpic userpic2" style="width: 42px; height: 42px"><div class="initials" style="line-height: 42px">M</div></div></div>
      <div class="body">
       <div class="pull_right date details" title="20.11.2026 21:09:00 UTC+02:00">
21:09
       </div>
       <div class="from_name">
Marco X
       </div>
       <div class="text">
Guarda cosa ho
       </div>
      </div>
     </div>
     <div class="message default clearfix joined" id="message3">
      <div class="body">
       <div class="pull_right date details" title="20.11.2026 21:10:00 UTC+02:00">
21:10
       </div>
       <div class="media_wrap clearfix">
        <a class="photo_wrap clearfix pull_left" href="photos/photo_1@20-11-2026_21-10-00.jpg">
         <img class="photo" src="photos/photo_1@20-11-2026_21-10-00_thumb.jpg" style="width: 240px; height: 240px"/>
        </a>
       </div>
      </div>
     </div>
     <div class="message default clearfix" id="message4">
      <div class="pull_left userpic_wrap"><div class="userpic userpic1"><div class="initials">G</div></div></div>
      <div class="body">
       <div class="pull_right date details" title="20.11.2026 21:11:00 UTC+02:00
Edited: 20.11.2026 21:12:00 UTC+02:00">
21:11
       </div>
       <div class="from_name">
Giulia
       </div>
       <div class="reply_to details">
In reply to <a href="#go_to_message3" onclick="return GoToMessage(3)">this message</a>
       </div>
       <div class="text">
Cancella subito <strong>quella foto</strong>
       </div>
      </div>
     </div>
     <div class="message default clearfix" id="message5">
      <div class="pull_left userpic_wrap"><div class="userpic userpic2"><div class="initials">M</div></div></div>
      <div class="body">
       <div class="pull_right date details" title="20.11.2026 21:13:00 UTC+02:00">
21:13
       </div>
       <div class="from_name">
Marco X
       </div>
       <div class="forwarded body">
        <div class="from_name">
Gruppo anonimo <span class="date details" title="19.11.2026 10:00:00"> 19.11.2026 10:00:00</span>
        </div>
        <div class="media_wrap clearfix">
         <a class="media clearfix pull_left block_link media_video" href="files/video_2.mp4">
          <div class="fill pull_left"></div>
          <div class="body"><div class="title bold">video_2.mp4</div></div>
         </a>
        </div>
       </div>
      </div>
     </div>
    </div>
   </div>
  </div>
 </body>
</html>
"##;

#[test]
fn telegram_html_gives_the_json_transcript() {
    let d = Dir::new();
    d.key("k.pem", "K");
    d.write("html-export/messages.html", TG_HTML);
    let photo = "photos/photo_1@20-11-2026_21-10-00.jpg";
    d.copy(
        &sample("chat/telegram-export").join(photo),
        &format!("html-export/{photo}"),
    );
    let r = d.add(&["html-export", "-o", "probe.zip", "--key", "k.pem"]);
    assert!(r.stderr.contains("Telegram"), "{}", r.stderr);
    let (_, h, _) = sealed(&d, "html-export", &[]);
    let (_, j, _) = sealed(&d, sample("chat/telegram-export").to_str().unwrap(), &[]);
    assert_eq!(h["source_format"], "telegram-html");
    assert_eq!(h["chat_name"], j["chat_name"]);
    assert_eq!(msgs(&h).len(), msgs(&j).len());
    assert_eq!(msgs(&h)[0]["kind"], "system");
    // People's messages: the same fields, value for value.
    for (a, b) in msgs(&h).iter().zip(msgs(&j)).skip(1) {
        for k in [
            "index",
            "kind",
            "timestamp_local",
            "timestamp_utc",
            "sender",
            "text",
            "reply_to",
            "forwarded_from",
            "edited",
        ] {
            assert_eq!(a[k], b[k], "message {} field {k}", a["index"]);
        }
        assert_eq!(a["source"]["message_id"], b["source"]["message_id"]);
        let strip = |v: &Value| {
            v["attachments"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| {
                    (
                        x["name"].clone(),
                        x["present"].clone(),
                        x["sha256"].clone(),
                        x["media_type"].clone(),
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(strip(a), strip(b), "message {} attachments", a["index"]);
    }
    assert_eq!(h["summary"]["missing_media"], j["summary"]["missing_media"]);
}

#[test]
fn whatsapp_localised_markers_and_names() {
    use sigillo::acquire::chat::whatsapp;
    let none = |_: &str| None;
    let cases = [
        (
            "es",
            "13/02/24, 21:05 - Ana: <Multimedia omitido>\n13/02/24, 21:06 - Ana: Se eliminó este mensaje.\n13/02/24, 21:07 - Ana: IMG-1.jpg (archivo adjunto)\n",
        ),
        (
            "de",
            "13.02.24, 21:05 - Jana: <Medien ausgeschlossen>\n13.02.24, 21:06 - Jana: Diese Nachricht wurde gelöscht.\n13.02.24, 21:07 - Jana: IMG-1.jpg (Datei angehängt)\n",
        ),
        (
            "fr",
            "13/02/2024 21:05 - Léa: <Médias omis>\n13/02/2024 21:06 - Léa: Ce message a été supprimé\n13/02/2024 21:07 - Léa: IMG-1.jpg (fichier joint)\n",
        ),
        (
            "pt",
            "13/02/2024 21:05 - Ana: <Mídia oculta>\n13/02/2024 21:06 - Ana: Esta mensagem foi apagada\n13/02/2024 21:07 - Ana: IMG-1.jpg (arquivo anexado)\n",
        ),
        (
            "tr",
            "13.02.2024 21:05 - Ali: <Medya dahil edilmedi>\n13.02.2024 21:06 - Ali: Bu mesaj silindi\n13.02.2024 21:07 - Ali: IMG-1.jpg (dosya ekli)\n",
        ),
        (
            "ru",
            "13.02.2024, 21:05 - Иван: <Без медиафайлов>\n13.02.2024, 21:06 - Иван: Данное сообщение удалено\n13.02.2024, 21:07 - Иван: IMG-1.jpg (файл добавлен)\n",
        ),
    ];
    for (lang, text) in cases {
        let t = whatsapp::parse(text, "_chat.txt", None, &none);
        assert_eq!(t.summary.deleted, 1, "{lang}: deleted marker");
        assert_eq!(t.summary.unparsed_lines, 0, "{lang}");
        let omitted = &t.messages[0].attachments[0];
        assert!(
            !omitted.present && omitted.media_type.as_deref() == Some("omitted-from-export"),
            "{lang}: media omitted"
        );
        assert_eq!(
            t.messages[2].attachments[0].name, "IMG-1.jpg",
            "{lang}: file attached"
        );
        assert_eq!(t.summary.missing_media.len(), 2, "{lang}");
    }
    for (file, name) in [
        ("WhatsApp Chat with Marco.zip", "Marco"),
        ("Chat de WhatsApp con Marco.txt", "Marco"),
        ("Conversa do WhatsApp com Marco.zip", "Marco"),
        ("Discussion WhatsApp avec Marco.zip", "Marco"),
        ("WhatsApp Chat mit Marco.zip", "Marco"),
        ("Chat WhatsApp con Marco.zip", "Marco"),
        ("Marco ile WhatsApp Sohbeti.zip", "Marco"),
        ("Чат WhatsApp с Марко.txt", "Марко"),
    ] {
        assert_eq!(
            whatsapp::chat_name_from_file(file).as_deref(),
            Some(name),
            "{file}"
        );
    }
    assert_eq!(whatsapp::chat_name_from_file("_chat.txt"), None);
}
