# sigillo acquisition report: English (the reference locale).
#
# Every message is plain text: the report escapes it, so markup here would be shown as
# text, never rendered. Variables ({ $name }) are filled in by sigillo; where a message
# holds a blank line, a bold case id or a tool name, those are variables too, so a
# translation may move them. See docs/translating.md.

## Title and header

title = Evidence acquisition report
sensitive = This report concerns evidence that may contain intimate images or other sensitive material. Images are hidden and replaced by their hashes unless the report was made with --show-media.
case = Case
bundle = Bundle
bundle-sha = Bundle SHA-256
generated = Report generated
# After the UTC time: "(local offset at generation +01:00)".
offset = local offset at generation
operators = Operators
# The footer of every PDF page.
pdf-footer = { $bundle } · case { $case } · bundle SHA-256 { $sha256 }

## Items

summary = Items
item = Item
kind = Kind
source = Source
acquired = Acquired (UTC)
tsa = Trusted timestamp
signer = Signer
files = Files
path = Path
size = Size (bytes)
role = Role
hashes = Hashes
method = Method
note = Note
encrypted-to = Files encrypted (age); only these recipients can open them
hidden = image hidden (sensitive) — see its hashes
# The quality of a PDQ perceptual hash: "PDQ 1234… (quality 100)".
pdq-quality = quality
local-only = local clock only (untrusted)
# What the acquisition tool recorded that it did (the step itself is shown as recorded, in English).
transformation = Step recorded by the tool

## Item kinds, file roles, clocks and timestamp states

kind-files = files
kind-web = web page
kind-chat = chat
kind-recheck = re-check of a captured page
role-original = original
role-derived = derived
clock-local = local clock
clock-override = clock set by the operator
tsa-trusted = trusted
tsa-untrusted = not trusted
tsa-invalid = invalid

## Web captures and chats

final-url = final URL
server = server
redirect = redirect
certificate = certificate
user-agent = user agent
second-fetch = second fetch
same-body = same body as browser
yes = yes
no = no
transcript = Transcript
participants = Participants
messages = Messages
span = Span

## Chain of custody

custody = Chain of custody
time = Time (UTC)
action = Action
by = By
action-created = bundle created
action-item-added = item added
action-transferred = transferred
action-received = received
action-verified = verified
action-exported = exported
action-note = note
action-timestamped = timestamped
action-cosigned = co-signed
action-encrypted = encrypted
action-decrypted = decrypted
action-notice-sent = notice sent
action-notice-acknowledged = notice acknowledged
action-removal-confirmed = removal confirmed
custody-item = item
custody-to = to
custody-from = from
custody-verdict = verdict
verdict-verified = verified
verdict-failed = failed

## Verification

verdict = Verification
verified = VERIFIED: every signature, hash and custody link checked.
failed = NOT VERIFIED
verified-when-written = This is the verdict sigillo reached when it wrote this report into the bundle. Run sigillo verify (or the commands below) to check the bundle as it is now.
alarm-count = This bundle failed verification. Problems found: { $count }.
alarm-hint = Do not rely on its contents until every problem is explained; the first ones follow, the full list is under Verification.
alarm-more = More problems are listed under Verification.
technical-note = Each problem is named first; the technical detail after it is sigillo's own message, in English.
problem-archive = The ZIP container is damaged or was altered
problem-keys = A public key in the bundle is invalid
problem-item = An item's manifest is invalid or was altered
problem-file = A file was altered, added or removed
problem-signature = A signature does not match
problem-timestamp = A trusted timestamp does not hold
problem-custody = The chain of custody is broken
problem-sums = The SHA256SUMS list does not match
problem-trust = A signer is not among the trusted keys
problem-cosignature = An X.509 co-signature does not verify
problem-other = Verification failed
key-trusted = pinned with --trust
key-untrusted = NOT among the --trust keys
cert-holder = Co-signed with an X.509 certificate held by
cert-serial = serial number
cert-issuer = issued by
cert-qualified = declared qualified (QcCompliance):
cert-trusted = the certificate chains to a trusted root
cert-untrusted = the certificate does NOT chain to a trusted root

## How to verify

how = How to verify
how-sigillo = Check everything at once with sigillo: signatures, hashes, chain of custody and, with --tsa-ca, trusted timestamps.
how-unzip = Or check by hand with standard tools. First unpack the bundle:
how-sums = Check every file against the list of SHA-256 hashes:
how-pkeyutl = Check the Ed25519 signature of each item's manifest:
how-ts = Where an item has a trusted timestamp, check it against the authority's root certificate:
how-cms = Where an item has an X.509 co-signature, check it against the signer's certificate authority:

## What the bundle proves

proves = What this bundle proves, and what it does not
proves-yes = It proves that these exact bytes were received from the named server (or taken from the named files) at the stated time by this operator's tool, that they have not changed since they were sealed, who sealed them and who held the bundle afterwards. A trusted timestamp proves the bytes existed no later than its time.
proves-no = It does not prove who wrote or posted the content, that the content is true, or that the page looked the same to other visitors or at other times. The local clock is only as reliable as the acquiring machine; trusted timestamps are marked where present.

## Paperwork: the Italian verbale (shown with --lang it only) and the FRE 902(14) certificate

verbale = Acquisition record
verbale-intro = I, { $name }, acting as { $role }, record that with the tool { $tool }, following the procedure described in this report (ISO/IEC 27037), I acquired the digital evidence of case { $case } listed here: { $items }.
verbale-hashes = For each item the SHA-256 hashes shown above were computed; the manifest of each item was signed with the key shown and, where present, timestamped. The bundle { $bundle } has SHA-256 hash { $sha256 }.
sha-at-delivery = (computed on delivery: sha256sum)
cert902 = Certificate of authenticity (Federal Rule of Evidence 902(14))
cert902-note = This certificate is meant for a court of the United States.
cert902-body = I, { $name }, certify under penalty of perjury that I am qualified by { $qualification } to make this certification; that the data in the items listed above ({ $items }) were copied from their sources by the process described in this report, using { $tool }; that the process identifies each file by its SHA-256 hash value, recorded at acquisition and signed; and that a comparison of those hash values with the files in bundle { $bundle } (SHA-256 { $sha256 }) shows them to be identical.
sha-when-producing = (compute with sha256sum when producing)
signature-line = Signature
name-role = Name and role
date-place = Date and place

## Removal timeline (sigillo recheck / status)

timeline = Removal timeline
timeline-intro = Each captured address was loaded again with sigillo recheck; every re-check is a sealed item of this bundle. Times are UTC, from the acquiring machine's clock (trusted time: the items' timestamps).
timeline-captured = captured
timeline-notice = notice sent
timeline-removed-at = first found removed
timeline-last-online = last found online
timeline-not-removed = not found removed
timeline-deadline = deadline { $at }
timeline-hours = { $hours } h from the notice to the removal
timeline-met = within the deadline
timeline-missed = missed
timeline-pending = running
result-online-unchanged = online, unchanged
result-online-changed = online, changed
result-removed = removed
result-redirected = redirected (login or home page)
result-unreachable = unreachable

## Removal notices (sigillo notice) and the Garante pack (export --garante)

notice-title = Notice of illegal content (Regulation (EU) 2022/2065, Digital Services Act, Art. 16)
notice-subject = Notice of illegal content under DSA Art. 16 to { $recipient } (case { $case })
notice-to = To
notice-issued = Date of the notice (UTC)
notice-category = Category (DSA Transparency Database)
notice-intro = Under Art. 16 of Regulation (EU) 2022/2065 (Digital Services Act) I notify you of the content below, which is illegal, and ask that it be removed or access to it disabled without delay. This notice contains the elements listed in Art. 16(2).
notice-explanation = (a) Why the content is illegal
notice-reason = Explanation given by the notifier
notice-legal-ground = Legal ground
notice-ground-ncii = Art. 612-ter of the Italian Criminal Code punishes whoever sends, delivers, hands over, publishes or disseminates images or videos with sexually explicit content, intended to remain private, without the consent of the persons depicted. The content is non-consensual intimate imagery of the person concerned.
notice-ground-deepfake = Art. 612-quater of the Italian Criminal Code punishes whoever causes unjust harm to a person by disseminating, without their consent, images, videos or voices falsified or altered with artificial intelligence systems and capable of misleading as to their authenticity. The content is a sexually explicit deepfake of the person concerned, made and shared without consent.
notice-locations = (b) Exact location and identification of the content
notice-url = URL
notice-url-stated = (address given by the notifier)
notice-final-url = Address after redirects
notice-captured-at = Captured (UTC)
notice-manifest = Sealed record (SHA-256 of the signed item manifest)
notice-main-document = SHA-256 of the page as received
notice-screenshot = SHA-256 of the full-page screenshot
notice-media = Media files (fingerprints: SHA-256, MD5, PDQ)
notice-media-none = no media file recorded
notice-no-media = The media themselves are deliberately not attached: the fingerprints above identify them (PDQ also finds re-encoded copies).
notice-notifier = (c) Notifier
notice-name = Name
notice-email = E-mail
notice-good-faith-title = (d) Statement of good faith
notice-good-faith = I, { $notifier }, confirm my bona fide belief that the information and allegations contained in this notice are accurate and complete.
notice-evidence = The content was preserved as signed evidence (case { $case }), identified by the hashes above; the evidence is available to the competent authorities.
garante-title = Summary for a report to the Italian Data Protection Authority (Art. 144-bis, Legislative Decree 196/2003)
garante-intro = This pack holds the original media files of the items below, byte for byte, and their fingerprints (hashes.csv), taken from a signed evidence bundle that verified.
garante-what = What
garante-where = Where (URL)
garante-when = When captured (UTC)
garante-media-count = { $count } media file(s)
garante-hashes = hashes.csv lists each file's SHA-256, MD5 and PDQ perceptual hash, so that copies can be found and blocked without showing the images.
garante-nothing-sent = sigillo sends nothing anywhere: upload this pack yourself with the report (www.garanteprivacy.it).
