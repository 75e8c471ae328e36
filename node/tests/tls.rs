//! HTTPS on loopback: a CA and a server certificate made in the test (rcgen), `vm-node serve`
//! with `tls_cert`/`tls_key`, and reqwest over rustls trusting only that CA. Appends, a
//! checkpoint and an inclusion proof over HTTPS, checked with the core; HTTP/2 by ALPN and
//! HTTP/1.1 both served; plain HTTP refused off loopback.

mod common;

use common::{edit_config, init, vm_node, Node, TempDir, MESH};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use vaultmesh_core::encoding::PublicKey;
use vaultmesh_core::federation;
use vaultmesh_core::json::{self, Limits, Value};
use vaultmesh_core::merkle::InclusionProof;
use vaultmesh_core::record::{self, Keyring, Kind};
use vaultmesh_node::bench::{array, guardian_receipt, Signer};

const AT: &str = "2026-05-01T12:00:00Z";

/// (CA certificate PEM, server certificate PEM, server key PEM) for 127.0.0.1 and localhost.
fn certificates() -> (String, String, String) {
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "vaultmesh test CA");
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let leaf =
        CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()]).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf_cert = leaf.signed_by(&leaf_key, &ca_cert, &ca_key).unwrap();
    (ca_cert.pem(), leaf_cert.pem(), leaf_key.serialize_pem())
}

fn client(ca: &str, http1_only: bool) -> reqwest::blocking::Client {
    let mut b = reqwest::blocking::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(ca.as_bytes()).unwrap());
    if http1_only {
        b = b.http1_only();
    }
    b.build().unwrap()
}

fn strict(body: &[u8]) -> Value<'_> {
    json::parse_record(
        body,
        &Limits {
            max_bytes: 1 << 24,
            max_depth: 80,
        },
    )
    .unwrap()
}

fn member<'v, 'a>(v: &'v Value<'a>, name: &str) -> &'v Value<'a> {
    v.as_object().unwrap().get(name).unwrap()
}

#[test]
fn appends_and_proofs_over_https_verify_with_the_core() {
    let dir = TempDir::new("tls");
    let data = init(&dir.0, &["--scrolls", "Guardian"]);
    let (ca, cert, key) = certificates();
    std::fs::create_dir_all(data.join("tls")).unwrap();
    std::fs::write(data.join("tls/cert.pem"), cert).unwrap();
    std::fs::write(data.join("tls/key.pem"), key).unwrap();
    edit_config(&data, "# tls_cert = ", "tls_cert = ");
    edit_config(&data, "# tls_key = ", "tls_key = ");
    let node = Node::start(&data);
    assert!(node.url.starts_with("https://127.0.0.1:"), "{}", node.url);
    let url = |path: &str| format!("{}{path}", node.url);
    let auth = format!("Bearer {}", node.token);

    // HTTP/2 by ALPN, and HTTP/1.1 for a client that offers only that.
    let h2 = client(&ca, false);
    let r = h2.get(url("/healthz")).send().unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.version(), reqwest::Version::HTTP_2);
    let h1 = client(&ca, true);
    let r = h1.get(url("/healthz")).send().unwrap();
    assert_eq!(r.version(), reqwest::Version::HTTP_11);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&r.bytes().unwrap()).unwrap()["mesh_id"],
        MESH
    );

    // The mesh key from the self-signed discovery record.
    let d = h2
        .get(url("/federation/discovery"))
        .send()
        .unwrap()
        .bytes()
        .unwrap();
    let d = strict(&d);
    record::verify_value(&d, Some(Kind::Discovery), &Keyring::new()).unwrap();
    let mut keyring = Keyring::new();
    keyring.insert(
        MESH,
        PublicKey::parse(member(&d, "public_key").as_str().unwrap()).unwrap(),
    );

    let guardian = Signer::new("engine:guardian");
    let key = serde_json::json!({ "actor": guardian.actor, "key": guardian.key.to_string() });
    let r = h2
        .post(url("/admin/keys"))
        .header("Authorization", &auth)
        .body(key.to_string())
        .send()
        .unwrap();
    assert_eq!(r.status(), 201);
    let receipts: Vec<Vec<u8>> = (0..5)
        .map(|i| guardian_receipt(&guardian, "tls", i, AT))
        .collect();
    let r = h2
        .post(url("/admin/scrolls/Guardian/receipts"))
        .header("Authorization", &auth)
        .body(array(&receipts))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&r.bytes().unwrap()).unwrap()["verified"],
        5
    );
    let r = h1
        .post(url("/admin/scrolls/Guardian/checkpoints"))
        .header("Authorization", &auth)
        .send()
        .unwrap();
    assert_eq!(r.status(), 201);

    for (i, receipt) in receipts.iter().enumerate() {
        let body = h2
            .get(url(&format!("/scrolls/Guardian/proof/inclusion?index={i}")))
            .send()
            .unwrap()
            .bytes()
            .unwrap();
        let v = strict(&body);
        let cp = federation::verify_checkpoint(member(&v, "checkpoint"), &keyring).unwrap();
        assert_eq!((cp.tree_size, cp.scroll.as_str()), (5, "Guardian"));
        let proof = InclusionProof::from_value(member(&v, "proof")).unwrap();
        let receipt = json::parse_record(receipt, &Limits::default()).unwrap();
        federation::verify_inclusion(&receipt, &proof, &cp).unwrap();
    }

    // Plain HTTP to the TLS port gets no HTTP answer.
    let addr = node.url.trim_start_matches("https://").to_string();
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    use std::io::{Read, Write};
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    let mut got = Vec::new();
    let _ = s.read_to_end(&mut got);
    assert!(!got.starts_with(b"HTTP/1.1 200"));
    // A client that does not trust the CA is refused.
    let untrusting = reqwest::blocking::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .build()
        .unwrap();
    assert!(untrusting.get(url("/healthz")).send().is_err());
    assert_eq!(h2.get(url("/healthz")).send().unwrap().status(), 200);
}

#[test]
fn plain_http_is_refused_off_loopback_and_tls_config_is_checked() {
    let dir = TempDir::new("tls-config");
    let data = init(&dir.0, &["--scrolls", "Guardian"]);
    let d = data.to_str().unwrap();
    // Refused before anything is bound.
    let (status, _, err) = vm_node(&["serve", "--data", d, "--listen", "0.0.0.0:0"]);
    assert_eq!(status, 2, "{err}");
    assert!(
        err.contains("refusing to serve plain HTTP on 0.0.0.0"),
        "{err}"
    );
    let (status, _, err) = vm_node(&["serve", "--data", d, "--listen", "[::]:0"]);
    assert_eq!(status, 2, "{err}");
    assert!(err.contains("not a loopback address"), "{err}");
    // One of the pair alone is a config error.
    edit_config(&data, "# tls_cert = ", "tls_cert = ");
    let (status, _, err) = vm_node(&["serve", "--data", d]);
    assert_eq!(status, 2, "{err}");
    assert!(err.contains("tls_cert and tls_key go together"), "{err}");
    // Files that are not PEM are named in the error.
    edit_config(&data, "# tls_key = ", "tls_key = ");
    std::fs::create_dir_all(data.join("tls")).unwrap();
    std::fs::write(data.join("tls/cert.pem"), "not a certificate").unwrap();
    std::fs::write(data.join("tls/key.pem"), "not a key").unwrap();
    let (status, _, err) = vm_node(&["serve", "--data", d]);
    assert_eq!(status, 2, "{err}");
    assert!(err.contains("cert.pem"), "{err}");
}
