//! Every label of the report, in English and Italian: the one translation table.

/// Report language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Italian.
    It,
}

impl Lang {
    /// The `lang` attribute.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::It => "it",
        }
    }
}

/// Look a label up; unknown keys come back as themselves (visible in review, never a crash).
pub fn t(lang: Lang, key: &'static str) -> &'static str {
    let (en, it) = match key {
        "title" => (
            "Evidence acquisition report",
            "Verbale di acquisizione di evidenze digitali",
        ),
        "sensitive" => (
            "This report concerns evidence that may contain intimate images or other sensitive material. Images are hidden and replaced by their hashes unless the report was made with --show-media.",
            "Questo verbale riguarda evidenze che possono contenere immagini intime o altro materiale sensibile. Le immagini sono nascoste e sostituite dalle loro impronte hash, salvo che il verbale sia stato generato con --show-media.",
        ),
        "case" => ("Case", "Procedimento"),
        "bundle" => ("Bundle", "Contenitore"),
        "bundle_sha" => ("Bundle SHA-256", "SHA-256 del contenitore"),
        "generated" => ("Report generated", "Verbale generato"),
        "operators" => ("Operators", "Operatori"),
        "summary" => ("Items", "Elementi acquisiti"),
        "item" => ("Item", "Elemento"),
        "kind" => ("Kind", "Tipo"),
        "source" => ("Source", "Fonte"),
        "acquired" => ("Acquired (UTC)", "Acquisito (UTC)"),
        "tsa" => ("Trusted timestamp", "Marca temporale"),
        "signer" => ("Signer", "Firmatario"),
        "files" => ("Files", "File"),
        "path" => ("Path", "Percorso"),
        "size" => ("Size (bytes)", "Dimensione (byte)"),
        "role" => ("Role", "Ruolo"),
        "hashes" => ("Hashes", "Impronte"),
        "method" => ("Method", "Metodo"),
        "custody" => ("Chain of custody", "Catena di custodia"),
        "time" => ("Time (UTC)", "Ora (UTC)"),
        "action" => ("Action", "Azione"),
        "by" => ("By", "Da"),
        "note" => ("Note", "Nota"),
        "encrypted_to" => (
            "Files encrypted (age); only these recipients can open them",
            "File cifrati (age); solo questi destinatari possono aprirli",
        ),
        "verdict" => ("Verification", "Verifica"),
        "verified" => (
            "VERIFIED: every signature, hash and custody link checked.",
            "VERIFICATO: ogni firma, impronta e anello della catena di custodia è stato controllato.",
        ),
        "failed" => ("NOT VERIFIED", "NON VERIFICATO"),
        "verified_when_written" => (
            "This is the verdict sigillo reached when it wrote this report into the bundle. Run sigillo verify (or the commands below) to check the bundle as it is now.",
            "Questo è l'esito che sigillo ha raggiunto quando ha scritto questo verbale nel contenitore. Eseguire sigillo verify (o i comandi sotto) per controllare il contenitore così com'è ora.",
        ),
        "how" => ("How to verify", "Come verificare"),
        "proves" => (
            "What this bundle proves, and what it does not",
            "Cosa prova questo contenitore, e cosa non prova",
        ),
        "proves_yes" => (
            "It proves that these exact bytes were received from the named server (or taken from the named files) at the stated time by this operator's tool, that they have not changed since they were sealed, who sealed them and who held the bundle afterwards. A trusted timestamp proves the bytes existed no later than its time.",
            "Prova che questi esatti byte sono stati ricevuti dal server indicato (o presi dai file indicati) nel momento dichiarato dallo strumento di questo operatore, che non sono cambiati da quando sono stati sigillati, chi li ha sigillati e chi ha detenuto il contenitore in seguito. Una marca temporale prova che i byte esistevano non oltre la sua data.",
        ),
        "proves_no" => (
            "It does not prove who wrote or posted the content, that the content is true, or that the page looked the same to other visitors or at other times. The local clock is only as reliable as the acquiring machine; trusted timestamps are marked where present.",
            "Non prova chi abbia scritto o pubblicato il contenuto, che il contenuto sia veritiero, né che la pagina apparisse uguale ad altri visitatori o in altri momenti. L'orologio locale è affidabile quanto la macchina che ha acquisito; le marche temporali sono indicate dove presenti.",
        ),
        "hidden" => (
            "image hidden (sensitive) — see its hashes",
            "immagine nascosta (sensibile) — vedi le impronte",
        ),
        "cert902" => (
            "Certificate of authenticity (Federal Rule of Evidence 902(14))",
            "Certificato di autenticità (Federal Rule of Evidence 902(14))",
        ),
        "verbale" => ("Verbale di acquisizione", "Verbale di acquisizione"),
        "signature_line" => ("Signature", "Firma"),
        "name_role" => ("Name and role", "Nome e qualifica"),
        "date_place" => ("Date and place", "Data e luogo"),
        "none" => ("none", "nessuna"),
        "local_only" => (
            "local clock only (untrusted)",
            "solo orologio locale (non certificato)",
        ),
        "transcript" => ("Transcript", "Trascrizione"),
        "participants" => ("Participants", "Partecipanti"),
        "messages" => ("Messages", "Messaggi"),
        "span" => ("Span", "Periodo"),
        "offset" => ("local offset at generation", "fuso locale alla generazione"),
        "alarm_count" => (
            "This bundle failed verification. Problems found",
            "Questo contenitore non ha superato la verifica. Problemi rilevati",
        ),
        "alarm_hint" => (
            "Do not rely on its contents until every problem is explained; the first ones follow, the full list is under Verification.",
            "Non fare affidamento sul contenuto finché ogni problema non è stato spiegato; seguono i primi (il dettaglio tecnico è in inglese), l'elenco completo è nella sezione Verifica.",
        ),
        "alarm_more" => (
            "More problems are listed under Verification.",
            "Altri problemi sono elencati nella sezione Verifica.",
        ),
        "final_url" => ("final URL", "URL finale"),
        "server" => ("server", "server"),
        "redirect" => ("redirect", "reindirizzamento"),
        "certificate" => ("certificate", "certificato"),
        "second_fetch" => ("second fetch", "secondo scaricamento"),
        "same_body" => ("same body as browser", "stesso contenuto del browser"),
        "yes" => ("yes", "sì"),
        "no" => ("no", "no"),
        "key_trusted" => ("pinned with --trust", "fissata con --trust"),
        "cert_holder" => (
            "Co-signed with an X.509 certificate held by",
            "Firmato con certificato X.509 intestato a",
        ),
        "cert_issuer" => ("issued by", "emesso da"),
        "cert_qualified" => (
            "declared qualified (QcCompliance):",
            "dichiarato qualificato (QcCompliance):",
        ),
        "cert_trusted" => (
            "the certificate chains to a trusted root",
            "il certificato risale a una radice attendibile",
        ),
        "cert_untrusted" => (
            "the certificate does NOT chain to a trusted root",
            "il certificato NON risale a una radice attendibile",
        ),
        "problem_cosignature" => (
            "An X.509 co-signature does not verify",
            "Una firma X.509 aggiuntiva non è valida",
        ),
        "key_untrusted" => ("NOT among the --trust keys", "NON tra le chiavi --trust"),
        "problem_archive" => (
            "The ZIP container is damaged or was altered",
            "Il contenitore ZIP è danneggiato o è stato alterato",
        ),
        "problem_keys" => (
            "A public key in the bundle is invalid",
            "Una chiave pubblica del contenitore non è valida",
        ),
        "problem_item" => (
            "An item's manifest is invalid or was altered",
            "Il manifesto di un elemento non è valido o è stato alterato",
        ),
        "problem_file" => (
            "A file was altered, added or removed",
            "Un file è stato alterato, aggiunto o rimosso",
        ),
        "problem_signature" => ("A signature does not match", "Una firma non corrisponde"),
        "problem_timestamp" => (
            "A trusted timestamp does not hold",
            "Una marca temporale non è valida",
        ),
        "problem_custody" => (
            "The chain of custody is broken",
            "La catena di custodia è interrotta",
        ),
        "problem_sums" => (
            "The SHA256SUMS list does not match",
            "L'elenco SHA256SUMS non corrisponde",
        ),
        "problem_trust" => (
            "A signer is not among the trusted keys",
            "Un firmatario non è tra le chiavi fidate",
        ),
        "problem_other" => ("Verification failed", "Verifica non superata"),
        _ => (key, key),
    };
    match lang {
        Lang::En => en,
        Lang::It => it,
    }
}
