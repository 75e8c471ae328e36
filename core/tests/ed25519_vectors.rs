//! Published Ed25519 vectors through the public API, text encodings included:
//!
//! - `test-vectors/external/ed25519-sign-input/TESTVECTORS` (djb's `sign.input` format, as
//!   shipped by ed25519-dalek): derive the public key, sign to the exact signature, verify
//!   strictly and in batches;
//! - `test-vectors/external/wycheproof/ed25519_test.json` (C2SP/wycheproof): every `valid` case
//!   accepted end to end (key text, signature text, `verify_strict`, `verify_batch`), every
//!   `invalid` case rejected at one of those steps.

use serde_json::Value;
use vaultmesh_core::crypto::{derive_public_key, sign, verify_batch, verify_strict, BatchItem};
use vaultmesh_core::encoding::{base58, PublicKey, SignatureBytes};
use vaultmesh_core::Error;

fn vectors_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-vectors/external")
}

fn hex(text: &str) -> Vec<u8> {
    assert!(text.len() % 2 == 0, "odd hex length: {text}");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex digit"))
        .collect()
}

/// The key's text form, `ed25519:z` + base58btc(0xED 0x01 ‖ key), built independently of
/// `PublicKey`'s own encoder.
fn key_text(key: &[u8]) -> String {
    let mut raw = vec![0xed, 0x01];
    raw.extend_from_slice(key);
    format!("ed25519:z{}", base58::encode(&raw))
}

fn signature_text(sig: &[u8]) -> String {
    format!("z{}", base58::encode(sig))
}

struct KnownAnswer {
    secret: [u8; 32],
    public: [u8; 32],
    message: Vec<u8>,
    signature: [u8; 64],
}

fn known_answers() -> Vec<KnownAnswer> {
    let text = std::fs::read_to_string(vectors_dir().join("ed25519-sign-input/TESTVECTORS"))
        .expect("TESTVECTORS");
    text.lines()
        .map(|line| {
            // secret ‖ public : public : message : signature ‖ message :
            let fields: Vec<&str> = line.split(':').collect();
            assert_eq!(fields.len(), 5, "{line}");
            let sk = hex(fields[0]);
            let pk = hex(fields[1]);
            let message = hex(fields[2]);
            let sm = hex(fields[3]);
            assert_eq!(&sk[32..], &pk[..]);
            assert_eq!(&sm[64..], &message[..]);
            KnownAnswer {
                secret: sk[..32].try_into().expect("32"),
                public: pk.try_into().expect("32"),
                message,
                signature: sm[..64].try_into().expect("64"),
            }
        })
        .collect()
}

#[test]
fn sign_input_known_answers() {
    let cases = known_answers();
    assert_eq!(cases.len(), 128, "TESTVECTORS should hold 128 vectors");
    for (i, case) in cases.iter().enumerate() {
        // Derive the public key; its text form parses back to the same key.
        let derived = derive_public_key(&case.secret);
        assert_eq!(derived.as_bytes(), &case.public, "vector {i}");
        let text = derived.to_string();
        assert_eq!(text, key_text(&case.public), "vector {i}");
        assert!(text.starts_with("ed25519:z6Mk"), "vector {i}: {text}");
        let parsed = PublicKey::parse(&text).expect("key text");
        assert_eq!(parsed, derived);
        assert!(parsed.is_torsion_free());
        assert_eq!(PublicKey::parse(&derived.to_did_key()), Ok(derived));

        // Sign to the exact signature; its text form parses back.
        let sig = sign(&case.secret, &case.message);
        assert_eq!(sig.0, case.signature, "vector {i}");
        let sig_text = sig.to_string();
        assert_eq!(sig_text, signature_text(&case.signature));
        assert_eq!(SignatureBytes::parse(&sig_text), Ok(sig));

        // Verify; a flipped message bit or signature bit fails.
        assert_eq!(
            verify_strict(&parsed, &case.message, &sig),
            Ok(()),
            "vector {i}"
        );
        let mut other = case.message.clone();
        match other.first_mut() {
            Some(b) => *b ^= 1,
            None => other.push(0),
        }
        assert_eq!(
            verify_strict(&parsed, &other, &sig),
            Err(Error::SignatureMismatch)
        );
        let mut bad = sig;
        bad.0[40] ^= 0x01;
        assert_eq!(
            verify_strict(&parsed, &case.message, &bad),
            Err(Error::SignatureMismatch)
        );
    }

    // All 128 in one batch, then with every 9th signature applied to the wrong message.
    let keys: Vec<PublicKey> = cases.iter().map(|c| derive_public_key(&c.secret)).collect();
    let sigs: Vec<SignatureBytes> = cases.iter().map(|c| SignatureBytes(c.signature)).collect();
    let items: Vec<BatchItem<'_>> = cases
        .iter()
        .zip(&keys)
        .zip(&sigs)
        .map(|((c, key), signature)| BatchItem {
            key,
            message: &c.message,
            signature,
        })
        .collect();
    assert!(verify_batch(&items, &[7; 32]).iter().all(Result::is_ok));
    let mut mixed = items.clone();
    for i in (0..mixed.len()).step_by(9) {
        mixed[i].message = &cases[(i + 1) % cases.len()].message;
    }
    let got = verify_batch(&mixed, &[8; 32]);
    for (i, (item, result)) in mixed.iter().zip(&got).enumerate() {
        assert_eq!(
            *result,
            verify_strict(item.key, item.message, item.signature),
            "item {i}"
        );
        assert_eq!(result.is_err(), i % 9 == 0, "item {i}");
    }
}

/// One Wycheproof case, after the text layers.
struct Case {
    id: u64,
    valid: bool,
    key: Option<PublicKey>,
    message: Vec<u8>,
    /// `None` when the signature is not 64 bytes (rejected by `SignatureBytes::parse`).
    signature: Option<SignatureBytes>,
}

#[test]
fn wycheproof() {
    let text = std::fs::read_to_string(vectors_dir().join("wycheproof/ed25519_test.json"))
        .expect("ed25519_test.json");
    let json: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(json["algorithm"], "EDDSA");
    let groups = json["testGroups"].as_array().expect("testGroups");
    assert_eq!(groups.len(), 78);

    let mut cases: Vec<Case> = Vec::new();
    let mut keys_rejected = 0;
    for group in groups {
        assert_eq!(group["publicKey"]["curve"], "edwards25519");
        let pk = hex(group["publicKey"]["pk"].as_str().expect("pk"));
        // Through the text form, as a record would carry it.
        let key = match PublicKey::parse(&key_text(&pk)) {
            Ok(key) => Some(key),
            Err(e) => {
                assert!(
                    matches!(
                        e,
                        Error::NonCanonicalKey | Error::SmallOrderKey | Error::MalformedKey
                    ),
                    "{e:?}"
                );
                keys_rejected += 1;
                None
            }
        };
        for test in group["tests"].as_array().expect("tests") {
            let id = test["tcId"].as_u64().expect("tcId");
            let valid = match test["result"].as_str() {
                Some("valid") => true,
                Some("invalid") => false,
                other => panic!("case {id}: unexpected result {other:?}"),
            };
            let sig = hex(test["sig"].as_str().expect("sig"));
            let signature = match SignatureBytes::parse(&signature_text(&sig)) {
                Ok(s) => {
                    assert_eq!(sig.len(), 64, "case {id}");
                    Some(s)
                }
                Err(e) => {
                    assert_eq!(e, Error::MalformedSignature, "case {id}");
                    assert_ne!(sig.len(), 64, "case {id}");
                    None
                }
            };
            let message = hex(test["msg"].as_str().expect("msg"));
            cases.push(Case {
                id,
                valid,
                key,
                message,
                signature,
            });
        }
    }

    // Pinned counts, so that an empty or truncated file fails.
    let valid = cases.iter().filter(|c| c.valid).count();
    let invalid = cases.len() - valid;
    assert_eq!((valid, invalid), (88, 63));
    assert_eq!(json["numberOfTests"].as_u64(), Some(cases.len() as u64));
    // This file has no key our rules reject: every group's key is canonical and not of small
    // order (if one were, all its cases would have to be `invalid`; see below).
    assert_eq!(keys_rejected, 0);

    // verify_strict, one by one.
    let mut rejected_by = [0usize; 3]; // [signature text, verify_strict, key]
    let mut verdicts = Vec::new();
    for c in &cases {
        let verdict = match (&c.key, &c.signature) {
            (None, _) => {
                rejected_by[2] += 1;
                Err(Error::MalformedKey)
            }
            (Some(_), None) => {
                rejected_by[0] += 1;
                Err(Error::MalformedSignature)
            }
            (Some(key), Some(sig)) => {
                let v = verify_strict(key, &c.message, sig);
                if v.is_err() {
                    rejected_by[1] += 1;
                }
                v
            }
        };
        assert_eq!(verdict.is_ok(), c.valid, "case {}: {verdict:?}", c.id);
        verdicts.push(verdict);
    }
    assert_eq!(rejected_by.iter().sum::<usize>(), 63);
    assert_eq!(rejected_by, [12, 51, 0]);
    // Which rule rejected them: 12 signatures of the wrong length, 22 with S >= L or a
    // non-canonical R, 7 with a small-order R, 22 failing the equation.
    let count = |e: Error| verdicts.iter().filter(|v| **v == Err(e)).count();
    assert_eq!(count(Error::MalformedSignature), 12);
    assert_eq!(count(Error::NonCanonicalSignature), 22);
    assert_eq!(count(Error::SmallOrderSignature), 7);
    assert_eq!(count(Error::SignatureMismatch), 22);

    // verify_batch: all checkable cases in one batch, in halves, and one by one; every result
    // must equal verify_strict's exactly.
    let checkable: Vec<(usize, BatchItem<'_>)> = cases
        .iter()
        .enumerate()
        .filter_map(|(i, c)| match (&c.key, &c.signature) {
            (Some(key), Some(signature)) => Some((
                i,
                BatchItem {
                    key,
                    message: &c.message,
                    signature,
                },
            )),
            _ => None,
        })
        .collect();
    assert_eq!(checkable.len(), 151 - 12);
    let items: Vec<BatchItem<'_>> = checkable.iter().map(|(_, item)| *item).collect();
    let mut batches: Vec<(usize, &[BatchItem<'_>])> = vec![(0, &items[..])];
    let half = items.len() / 2;
    batches.push((0, &items[..half]));
    batches.push((half, &items[half..]));
    for i in 0..items.len() {
        batches.push((i, &items[i..=i]));
    }
    for (seed, (offset, batch)) in batches.iter().enumerate() {
        let got = verify_batch(batch, &[seed as u8; 32]);
        assert_eq!(got.len(), batch.len());
        for (k, result) in got.iter().enumerate() {
            let (case_index, _) = checkable[offset + k];
            let case = &cases[case_index];
            assert_eq!(
                *result, verdicts[case_index],
                "case {} in batch {seed}",
                case.id
            );
            assert_eq!(result.is_ok(), case.valid, "case {}", case.id);
        }
    }
}
