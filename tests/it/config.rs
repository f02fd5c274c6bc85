//! config.toml: operator, default key, named TSAs with accounts (HTTP basic auth against
//! a real OpenSSL TSA on loopback that demands it). The password lives in an environment
//! variable and is never written into a bundle, a message or `config show`.

use crate::support::tsa::{ACCOUNT, Mode, TestTsa};
use crate::util::*;

const PW_ENV: &str = "SIGILLO_TEST_TSA_PASSWORD";

/// A folder whose `~/.config/sigillo/config.toml` names the key, the operator and the
/// TSA `studio` (account `ACCOUNT`, password in `PW_ENV`), used by default.
fn configured(t: &TestTsa) -> Dir {
    let d = Dir::new();
    d.key("k.pem", "Key Name");
    d.write("e.txt", "evidence");
    std::fs::create_dir_all(d.join(".config/sigillo")).unwrap();
    d.write(
        ".config/sigillo/config.toml",
        format!(
            "key = \"{key}\"\ntsa_default = [\"studio\"]\n\n[operator]\nname = \"Avv. Maria Rossi\"\nrole = \"lawyer\"\norganisation = \"Studio Legale Rossi\"\n\n[tsa.studio]\nurl = \"{url}\"\nusername = \"{user}\"\npassword_env = \"{PW_ENV}\"\n",
            key = d.join("k.pem").display(),
            url = t.url,
            user = ACCOUNT.0,
        ),
    );
    d
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn a_configured_tsa_account_is_used_and_its_password_never_written() {
    let t = TestTsa::start(Mode::NeedsAuth);
    let d = configured(&t);
    let ca = t.ca_pem.to_str().unwrap().to_string();
    // No --key, --operator or --tsa: all from config.toml.
    let r = d
        .command()
        .env(PW_ENV, ACCOUNT.1)
        .args(&["add", "e.txt", "-o", "case.zip", "--require-tsa"])
        .assert_exit(0);
    assert!(r.stderr.contains("1 trusted timestamp"), "{}", r.all());
    assert!(!r.all().contains(ACCOUNT.1));
    let r = d.sigillo(&["verify", "case.zip", "--tsa-ca", &ca]);
    r.assert_exit(0);
    let r = d.sigillo(&["custody", "show", "case.zip"]);
    assert!(
        r.stdout
            .contains("Avv. Maria Rossi (lawyer, Studio Legale Rossi)"),
        "{}",
        r.stdout
    );
    // `timestamp --renew` and `custody add --tsa NAME` use the account too.
    d.command()
        .env(PW_ENV, ACCOUNT.1)
        .args(&[
            "timestamp",
            "case.zip",
            "--renew",
            "--tsa",
            "studio",
            "--require-tsa",
        ])
        .assert_exit(0);
    d.command()
        .env(PW_ENV, ACCOUNT.1)
        .args(&[
            "custody",
            "add",
            "case.zip",
            "--action",
            "verified",
            "--tsa",
            "studio",
            "--require-tsa",
        ])
        .assert_exit(0);
    d.sigillo(&["verify", "case.zip", "--tsa-ca", &ca])
        .assert_exit(0);
    // The password appears nowhere in the bundle; the account name at most as the user.
    for (name, bytes) in d.zip("case.zip") {
        assert!(!contains(&bytes, ACCOUNT.1), "password in {name}");
    }
    // `config show` says where the password is and that it is set, never what it is.
    let r = d
        .command()
        .env(PW_ENV, ACCOUNT.1)
        .args(&["config", "show"])
        .assert_exit(0);
    assert!(
        r.stdout.contains(&format!("${PW_ENV} (set)")),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("operator:     Avv. Maria Rossi"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains(ACCOUNT.1));
    let v: serde_json::Value = d.sigillo(&["config", "show", "--json"]).json();
    assert_eq!(v["tsa"][0]["password_set"], false);
    assert_eq!(v["key_source"], "config.toml");
}

#[test]
fn a_missing_or_wrong_password_is_a_clear_error_and_nothing_is_written() {
    let t = TestTsa::start(Mode::NeedsAuth);
    let d = configured(&t);
    // The variable is not set: exit 2, named, nothing written.
    let r = d
        .command()
        .args(&["add", "e.txt", "-o", "case.zip", "--require-tsa"])
        .assert_exit(2);
    assert!(r.stderr.contains(&format!("${PW_ENV}")), "{}", r.stderr);
    assert!(!d.join("case.zip").exists());
    // A wrong password: the TSA refuses the account, said so; nothing written.
    let r = d
        .command()
        .env(PW_ENV, "wrong")
        .args(&["add", "e.txt", "-o", "case.zip", "--require-tsa"])
        .run();
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("refused the account"), "{}", r.stderr);
    assert!(!r.stderr.contains("wrong"), "{}", r.stderr);
    assert!(!d.join("case.zip").exists());
    // The bare URL, without an account: the TSA needs one, and how to give it.
    let r = d
        .command()
        .args(&[
            "add",
            "e.txt",
            "-o",
            "case.zip",
            "--require-tsa",
            "--tsa",
            &t.url,
        ])
        .run();
    assert!(r.stderr.contains("needs an account"), "{}", r.stderr);
    // Credentials written into a --tsa URL work, and are not recorded or printed.
    let (host, path) = t
        .url
        .strip_prefix("http://")
        .unwrap()
        .split_once('/')
        .unwrap();
    let pw = ACCOUNT.1.replace(':', "%3A");
    let with_creds = format!("http://{}:{pw}@{host}/{path}", ACCOUNT.0);
    let r = d
        .command()
        .args(&[
            "add",
            "e.txt",
            "-o",
            "case.zip",
            "--require-tsa",
            "--tsa",
            &with_creds,
        ])
        .assert_exit(0);
    assert!(!r.all().contains(&pw) && !r.all().contains(ACCOUNT.1));
    for (name, bytes) in d.zip("case.zip") {
        assert!(
            !contains(&bytes, &pw) && !contains(&bytes, ACCOUNT.1),
            "password in {name}"
        );
    }
    // An unknown TSA name lists the configured ones.
    let r = d
        .command()
        .args(&["add", "e.txt", "-o", "other.zip", "--tsa", "nosuch"])
        .assert_exit(2);
    assert!(r.stderr.contains("configured TSAs: studio"), "{}", r.stderr);
}

#[test]
fn a_password_written_in_the_configuration_is_refused_with_the_fix() {
    let d = Dir::new();
    d.key("k.pem", "Key Name");
    d.write("e.txt", "evidence");
    d.write(
        "bad.toml",
        "[tsa.x]\nurl = \"https://tsa.example/\"\nusername = \"u\"\npassword = \"secret\"\n",
    );
    let r = d
        .command()
        .env("SIGILLO_CONFIG", d.join("bad.toml").to_str().unwrap())
        .args(&[
            "add", "e.txt", "-o", "c.zip", "--key", "k.pem", "--tsa", "x",
        ])
        .assert_exit(2);
    assert!(r.stderr.contains("password_env"), "{}", r.stderr);
    assert!(!r.stderr.contains("secret"), "{}", r.stderr);
    d.write("typo.toml", "[operatr]\nname = \"x\"\n");
    let r = d
        .command()
        .env("SIGILLO_CONFIG", d.join("typo.toml").to_str().unwrap())
        .args(&["config", "show"])
        .assert_exit(2);
    assert!(r.stderr.contains("operatr"), "{}", r.stderr);
}

/// A TSA behind HTTPS that demands a client certificate (socat terminating TLS with
/// `verify=1` in front of the loopback OpenSSL TSA): the configured `client_cert` and
/// `tls_ca` get a token; without the certificate the TSA is unreachable and nothing is
/// written.
#[test]
fn a_tsa_that_wants_a_client_certificate_gets_it() {
    use crate::tool::Tool;
    let t = TestTsa::start(Mode::Normal);
    let d = Dir::new();
    d.key("k.pem", "Key Name");
    d.write("e.txt", "evidence");
    let ssl = |args: &[&str]| {
        let r = Tool::Openssl.run(d.path(), args);
        assert_eq!(r.code, 0, "openssl {args:?}: {}", r.stderr);
    };
    for (name, san) in [("server", "IP:127.0.0.1"), ("client", "DNS:studio.example")] {
        ssl(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &format!("{name}-ca.key"),
            "-out",
            &format!("{name}-ca.pem"),
            "-days",
            "30",
            "-subj",
            &format!("/CN={name} CA"),
        ]);
        ssl(&[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.csr"),
            "-subj",
            &format!("/CN={name}"),
        ]);
        d.write(
            &format!("{name}.ext"),
            format!("subjectAltName = {san}\nbasicConstraints = CA:FALSE\n"),
        );
        ssl(&[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            &format!("{name}-ca.pem"),
            "-CAkey",
            &format!("{name}-ca.key"),
            "-CAcreateserial",
            "-days",
            "30",
            "-out",
            &format!("{name}.pem"),
            "-extfile",
            &format!("{name}.ext"),
        ]);
    }
    d.write(
        "client-id.pem",
        [d.read_string("client.pem"), d.read_string("client.key")].concat(),
    );
    let tsa_port = t
        .url
        .trim_start_matches("http://127.0.0.1:")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut socat = std::process::Command::new("socat")
        .args([
            &format!(
                "OPENSSL-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork,cert=server.pem,key=server.key,cafile=client-ca.pem,verify=1"
            ),
            &format!("TCP:127.0.0.1:{tsa_port}"),
        ])
        .current_dir(d.path())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("socat (apt-get install socat; ./setup.sh --deps)");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::fs::create_dir_all(d.join(".config/sigillo")).unwrap();
    let dir = d.path().display();
    d.write(
        ".config/sigillo/config.toml",
        format!(
            "[tsa.tls]\nurl = \"https://127.0.0.1:{port}/tsr\"\nclient_cert = \"{dir}/client-id.pem\"\ntls_ca = \"{dir}/server-ca.pem\"\n\n[tsa.nocert]\nurl = \"https://127.0.0.1:{port}/tsr\"\ntls_ca = \"{dir}/server-ca.pem\"\n"
        ),
    );
    let r = d
        .command()
        .args(&[
            "add",
            "e.txt",
            "-o",
            "case.zip",
            "--key",
            "k.pem",
            "--tsa",
            "tls",
            "--require-tsa",
        ])
        .run();
    let ok = r.code == 0 && r.stderr.contains("1 trusted timestamp");
    let r2 = d
        .command()
        .args(&[
            "add",
            "e.txt",
            "-o",
            "other.zip",
            "--key",
            "k.pem",
            "--tsa",
            "nocert",
            "--require-tsa",
        ])
        .run();
    let r3 = d.sigillo(&["config", "show"]);
    let _ = socat.kill();
    let _ = socat.wait();
    assert!(ok, "{}", r.all());
    assert_ne!(r2.code, 0, "{}", r2.all());
    assert!(!d.join("other.zip").exists());
    assert!(r3.stdout.contains("client cert:  "), "{}", r3.stdout);
    assert!(!r3.stdout.contains("PRIVATE KEY"));
}
