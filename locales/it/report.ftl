# Verbale di acquisizione di sigillo: italiano.
#
# Ogni messaggio è testo semplice: il verbale lo mostra così com'è (il markup verrebbe
# mostrato come testo, mai interpretato). Le variabili ({ $nome }) le riempie sigillo e
# si possono spostare nella frase. Vedi docs/translating.md.

## Titolo e intestazione

title = Verbale di acquisizione di evidenze digitali
sensitive = Questo verbale riguarda evidenze che possono contenere immagini intime o altro materiale sensibile. Le immagini sono nascoste e sostituite dalle loro impronte hash, salvo che il verbale sia stato generato con --show-media.
case = Procedimento
bundle = Contenitore
bundle-sha = SHA-256 del contenitore
generated = Verbale generato
offset = fuso locale alla generazione
operators = Operatori
pdf-footer = { $bundle } · procedimento { $case } · SHA-256 del contenitore { $sha256 }

## Elementi

summary = Elementi acquisiti
item = Elemento
kind = Tipo
source = Fonte
acquired = Acquisito (UTC)
tsa = Marca temporale
signer = Firmatario
files = File
path = Percorso
size = Dimensione (byte)
role = Ruolo
hashes = Impronte
method = Metodo
note = Nota
encrypted-to = File cifrati (age); solo questi destinatari possono aprirli
hidden = immagine nascosta (sensibile) — vedi le impronte
pdq-quality = qualità
local-only = solo orologio locale (non certificato)
transformation = Operazione registrata dallo strumento

## Tipi di elemento, ruoli dei file, orologi e stati delle marche temporali

kind-files = file
kind-web = pagina web
kind-chat = chat
kind-recheck = nuovo controllo di una pagina acquisita
role-original = originale
role-derived = derivato
clock-local = orologio locale
clock-override = orario impostato dall'operatore
tsa-trusted = attendibile
tsa-untrusted = non attendibile
tsa-invalid = non valida

## Acquisizioni web e chat

final-url = URL finale
server = server
redirect = reindirizzamento
certificate = certificato
user-agent = user agent
second-fetch = secondo scaricamento
same-body = stesso contenuto del browser
yes = sì
no = no
transcript = Trascrizione
participants = Partecipanti
messages = Messaggi
span = Periodo

## Catena di custodia

custody = Catena di custodia
time = Ora (UTC)
action = Azione
by = Da
action-created = contenitore creato
action-item-added = elemento aggiunto
action-transferred = consegnato
action-received = ricevuto
action-verified = verificato
action-exported = esportato
action-note = annotazione
action-timestamped = marcato temporalmente
action-cosigned = firmato in aggiunta
action-encrypted = cifrato
action-decrypted = decifrato
action-notice-sent = segnalazione inviata
action-notice-acknowledged = segnalazione ricevuta dalla piattaforma
action-removal-confirmed = rimozione confermata
custody-item = elemento
custody-to = a
custody-from = da
custody-verdict = esito
verdict-verified = verificato
verdict-failed = non verificato

## Verifica

verdict = Verifica
verified = VERIFICATO: ogni firma, impronta e anello della catena di custodia è stato controllato.
failed = NON VERIFICATO
verified-when-written = Questo è l'esito che sigillo ha raggiunto quando ha scritto questo verbale nel contenitore. Eseguire sigillo verify (o i comandi sotto) per controllare il contenitore così com'è ora.
alarm-count = Questo contenitore non ha superato la verifica. Problemi rilevati: { $count }.
alarm-hint = Non fare affidamento sul contenuto finché ogni problema non è stato spiegato; seguono i primi, l'elenco completo è nella sezione Verifica.
alarm-more = Altri problemi sono elencati nella sezione Verifica.
technical-note = Per ogni problema è indicato prima che cosa non va; il dettaglio tecnico che segue è il messaggio di sigillo, in inglese.
problem-archive = Il contenitore ZIP è danneggiato o è stato alterato
problem-keys = Una chiave pubblica del contenitore non è valida
problem-item = Il manifesto di un elemento non è valido o è stato alterato
problem-file = Un file è stato alterato, aggiunto o rimosso
problem-signature = Una firma non corrisponde
problem-timestamp = Una marca temporale non è valida
problem-custody = La catena di custodia è interrotta
problem-sums = L'elenco SHA256SUMS non corrisponde
problem-trust = Un firmatario non è tra le chiavi fidate
problem-cosignature = Una firma X.509 aggiuntiva non è valida
problem-other = Verifica non superata
key-trusted = fissata con --trust
key-untrusted = NON tra le chiavi --trust
cert-holder = Firmato con certificato X.509 intestato a
cert-serial = numero di serie
cert-issuer = emesso da
cert-qualified = dichiarato qualificato (QcCompliance):
cert-trusted = il certificato risale a una radice attendibile
cert-untrusted = il certificato NON risale a una radice attendibile

## Come verificare

how = Come verificare
how-sigillo = Controllare tutto in una volta con sigillo: firme, impronte, catena di custodia e, con --tsa-ca, marche temporali.
how-unzip = Oppure controllare a mano con strumenti standard. Prima estrarre il contenitore:
how-sums = Controllare ogni file con l'elenco delle impronte SHA-256:
how-pkeyutl = Controllare la firma Ed25519 del manifesto di ciascun elemento:
how-ts = Dove un elemento ha una marca temporale, controllarla con il certificato radice dell'ente certificatore:
how-cms = Dove un elemento ha una firma X.509 aggiuntiva, controllarla con l'autorità di certificazione del firmatario:

## Che cosa prova il contenitore

proves = Cosa prova questo contenitore, e cosa non prova
proves-yes = Prova che questi esatti byte sono stati ricevuti dal server indicato (o presi dai file indicati) nel momento dichiarato dallo strumento di questo operatore, che non sono cambiati da quando sono stati sigillati, chi li ha sigillati e chi ha detenuto il contenitore in seguito. Una marca temporale prova che i byte esistevano non oltre la sua data.
proves-no = Non prova chi abbia scritto o pubblicato il contenuto, che il contenuto sia veritiero, né che la pagina apparisse uguale ad altri visitatori o in altri momenti. L'orologio locale è affidabile quanto la macchina che ha acquisito; le marche temporali sono indicate dove presenti.

## Atti: il verbale di acquisizione e il certificato FRE 902(14)

verbale = Verbale di acquisizione
verbale-intro = Il/La sottoscritto/a { $name }, in qualità di { $role }, dà atto di aver acquisito, con lo strumento { $tool } e secondo la procedura descritta in questo verbale (ISO/IEC 27037), le evidenze digitali del procedimento { $case } elencate di seguito: { $items }.
verbale-hashes = Per ciascun elemento sono state calcolate le impronte SHA-256 riportate sopra; il manifesto di ciascun elemento è stato firmato con la chiave indicata e, dove presente, marcato temporalmente. Il contenitore { $bundle } ha impronta SHA-256 { $sha256 }.
sha-at-delivery = (calcolata al momento della consegna: sha256sum)
cert902 = Certificato di autenticità (Federal Rule of Evidence 902(14))
cert902-note = Questo certificato è destinato a un tribunale degli Stati Uniti: per depositarlo, generare il verbale in inglese (--lang en).
cert902-body = Il/La sottoscritto/a { $name } certifica, sotto pena di falsa testimonianza (penalty of perjury), di essere qualificato/a in virtù di { $qualification } a rilasciare questa certificazione; che i dati degli elementi sopra elencati ({ $items }) sono stati copiati dalle loro fonti con il procedimento descritto in questo verbale, usando { $tool }; che il procedimento identifica ciascun file con la sua impronta SHA-256, registrata all'acquisizione e firmata; e che il confronto di tali impronte con i file del contenitore { $bundle } (SHA-256 { $sha256 }) li mostra identici.
sha-when-producing = (da calcolare con sha256sum al momento della produzione)
signature-line = Firma
name-role = Nome e qualifica
date-place = Data e luogo

## Cronologia della rimozione (sigillo recheck / status)

timeline = Cronologia della rimozione
timeline-intro = Ogni indirizzo acquisito è stato caricato di nuovo con sigillo recheck; ogni nuovo controllo è un elemento sigillato di questo contenitore. Orari in UTC, dall'orologio della macchina che ha acquisito (tempo certo: le marche temporali degli elementi).
timeline-captured = acquisita
timeline-notice = segnalazione inviata
timeline-removed-at = rimozione rilevata la prima volta
timeline-last-online = ultima volta online
timeline-not-removed = rimozione non rilevata
timeline-deadline = scadenza { $at }
timeline-hours = { $hours } ore dalla segnalazione alla rimozione
timeline-met = entro la scadenza
timeline-missed = scadenza superata
timeline-pending = in corso
result-online-unchanged = online, invariata
result-online-changed = online, modificata
result-removed = rimossa
result-redirected = reindirizzata (accesso o pagina iniziale)
result-unreachable = non raggiungibile

## Segnalazioni di rimozione (sigillo notice) e pacchetto per il Garante (export --garante)

notice-title = Segnalazione di contenuto illegale (Regolamento (UE) 2022/2065, Digital Services Act, art. 16)
notice-subject = Segnalazione di contenuto illegale ai sensi dell'art. 16 DSA a { $recipient } (procedimento { $case })
notice-to = Destinatario
notice-issued = Data della segnalazione (UTC)
notice-category = Categoria (DSA Transparency Database)
notice-intro = Ai sensi dell'art. 16 del Regolamento (UE) 2022/2065 (Digital Services Act) segnalo il contenuto indicato di seguito, che è illegale, e chiedo che sia rimosso o che l'accesso sia disabilitato senza ritardo. La segnalazione contiene gli elementi indicati all'art. 16, paragrafo 2.
notice-explanation = (a) Motivazione: perché il contenuto è illegale
notice-reason = Motivazione fornita dal segnalante
notice-legal-ground = Fondamento giuridico
notice-ground-ncii = L'art. 612-ter del codice penale punisce chi invia, consegna, cede, pubblica o diffonde immagini o video a contenuto sessualmente esplicito, destinati a rimanere privati, senza il consenso delle persone rappresentate. Il contenuto segnalato è materiale intimo diffuso senza il consenso della persona interessata.
notice-ground-deepfake = L'art. 612-quater del codice penale punisce chi cagiona un danno ingiusto a una persona diffondendo, senza il suo consenso, immagini, video o voci falsificati o alterati mediante sistemi di intelligenza artificiale e idonei a trarre in inganno sulla loro genuinità. Il contenuto segnalato è un deepfake sessualmente esplicito della persona interessata, realizzato e diffuso senza consenso.
notice-locations = (b) Ubicazione esatta e identificazione del contenuto
notice-url = URL
notice-url-stated = (indirizzo indicato dal segnalante)
notice-final-url = Indirizzo dopo i reindirizzamenti
notice-captured-at = Acquisito (UTC)
notice-manifest = Registrazione sigillata (SHA-256 del manifest firmato dell'elemento)
notice-main-document = SHA-256 della pagina come ricevuta
notice-screenshot = SHA-256 dello screenshot dell'intera pagina
notice-media = File multimediali (impronte: SHA-256, MD5, PDQ)
notice-media-none = nessun file multimediale registrato
notice-no-media = I file multimediali non sono allegati di proposito: le impronte qui sopra li identificano (PDQ riconosce anche copie ricodificate).
notice-notifier = (c) Segnalante
notice-name = Nome
notice-email = E-mail
notice-good-faith-title = (d) Dichiarazione di buona fede
notice-good-faith = Io, { $notifier }, dichiaro in buona fede di ritenere che le informazioni e le affermazioni contenute in questa segnalazione siano precise e complete.
notice-evidence = Il contenuto è stato conservato come evidenza firmata (procedimento { $case }), identificata dalle impronte qui sopra; l'evidenza è a disposizione delle autorità competenti.
garante-title = Riepilogo per la segnalazione al Garante per la protezione dei dati personali (art. 144-bis d.lgs. 196/2003)
garante-intro = Questo pacchetto contiene i file multimediali originali degli elementi indicati, identici byte per byte, e le loro impronte (hashes.csv), tratti da un contenitore di evidenze firmato e verificato.
garante-what = Che cosa
garante-where = Dove (URL)
garante-when = Quando acquisito (UTC)
garante-media-count = { $count } file multimediali
garante-hashes = hashes.csv elenca per ogni file SHA-256, MD5 e l'hash percettivo PDQ, così che le copie si possano trovare e bloccare senza mostrare le immagini.
garante-nothing-sent = sigillo non invia nulla: caricare questo pacchetto insieme alla segnalazione (www.garanteprivacy.it).
