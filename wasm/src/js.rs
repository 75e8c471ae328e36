//! The wasm-bindgen exports: JavaScript names, argument conversion, and errors.
//!
//! Every function converts its arguments, calls [`crate::api`], and returns the document as a
//! plain JavaScript object (parsed from the core's canonical JSON, so the object is exactly
//! what `vm-verify --json` prints). A failure of the core becomes a thrown `Error` with
//! `name === "VaultMeshError"`, `code` (the core's number), `vmName` (the core's stable name)
//! and `field` (the record member concerned, when there is one). An argument of the wrong
//! JavaScript type is a `TypeError`.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use js_sys::{Array, Function, Reflect, Uint8Array, JSON};
use vaultmesh_core::bundle::BUNDLE_LIMITS;
use vaultmesh_core::json::{Limits, Value};
use vaultmesh_core::record::{Failure, Keyring as CoreKeyring, Kind};
use vaultmesh_core::Error;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::api;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** A JSON document as text (encoded as UTF-8) or as bytes. Pass a Uint8Array to verify exact bytes. */
export type Input = string | Uint8Array;
/** A proof, chain or bundle: text, bytes, or an object (serialised with JSON.stringify, so numbers lose how they were written). */
export type Document = string | Uint8Array | object;
/** Parser limits (wire format §2): defaults 1 MiB and depth 64 for a record. */
export interface ParseOptions { maxBytes?: number; maxDepth?: number; }
/** Options of verifyRecord and verifyRecords. */
export interface RecordOptions extends ParseOptions {
  /** The kind to verify as: required for untyped records (`discovery`, `proposal`, `response`), else checked against `type`. */
  kind?: string;
}
/** Thrown by every function when the core rejects its input. */
export interface VaultMeshError extends Error {
  name: "VaultMeshError";
  /** The core's stable numeric code, e.g. 104. */
  code: number;
  /** The core's stable name, e.g. "DUPLICATE_KEY". */
  vmName: string;
  /** The record member the error concerns, when there is one. */
  field?: string;
}
export interface VerifiedRecord { valid: true; kind: string; receipt_hash: string; }
export interface RecordVerdict { valid: boolean; kind?: string; receipt_hash?: string; error?: string; code?: number; message?: string; field?: string; }
export interface VerifiedAgreement { valid: true; agreement_hash: string; trust_level: number; parties: string[]; key_exchange: Record<string, string>; }
export interface VerifiedCheckpoint { valid: true; receipt_hash: string; mesh_id: string; scroll: string; tree_size: number; root: string; timestamp: string; }
export interface VerifiedReceipt { valid: true; receipt_hash: string; }
export interface InclusionProof { leaf_index: number; tree_size: number; path: string[]; }
export interface ConsistencyProof { old_size: number; new_size: number; path: string[]; }
export interface JsonlRoot { root: string; tree_size: number; }
export interface ActorId { class: "mesh" | "human" | "agent"; name: string; }
export interface ErrorInfo { code: number; name: string; message: string; }
/** The governance chain report (docs/SPEC.md §11). */
export interface ChainReport {
  valid: boolean; receipts: number; verified: number;
  violation: null | { index: number | null; error: string; code: number; message: string; field?: string };
  versions: { version: string; constitution_hash: string; index: number | null; proposal_id: string | null; effective_at: string | null }[];
  proposals: { proposal_id: string; proposal_type: string; class: string; phase: string; tally: { approve: number; reject: number; abstain: number }; index: number }[];
  orders: number; violations: number; enforcements: number;
}
export interface BundleCheck { check: string; description: string; verdict: "valid" | "invalid" | "not_checked"; error?: string; code?: number; message?: string; field?: string; note?: string; }
export interface BundleItem {
  path: string; kind: string; label: string; verdict: "valid" | "invalid" | "not_checked";
  error?: string; code?: number; message?: string; field?: string; failed_check?: string; note?: string;
  checks: BundleCheck[]; details: Record<string, unknown>;
}
export interface BundleScroll {
  mesh_id: string; scroll: string;
  checkpoints: BundleItem[]; consistency: BundleItem[]; receipts: BundleItem[]; witnesses: BundleItem[];
  growth: { old_size: number; new_size: number; old_root: string; new_root: string; proven: boolean }[];
}
/** The bundle report (docs/SPEC.md §11.3); the same document `vm-verify bundle --json` prints. */
export interface BundleReport {
  type: "vaultmesh_bundle_report"; version: 1; valid: boolean; verdict: "valid" | "invalid" | "incomplete";
  bundle_hash: string; created_at?: string; description?: string;
  summary: { items: number; valid: number; invalid: number; not_checked: number; unproven_growth: number;
             by_kind: Record<string, { valid: number; invalid: number; not_checked: number }> };
  keys: { actor: string; key: string; source: "pinned" | "bundle" | "discovery" | "agreement"; path?: string }[];
  sections: { keys: BundleItem[]; discovery: BundleItem[]; agreements: BundleItem[]; scrolls: BundleScroll[];
              cross_anchors: BundleItem[]; governance: BundleItem[] };
}
"#;

#[wasm_bindgen]
extern "C" {
    /// `string | Uint8Array`: a record or a JSON Lines file.
    #[wasm_bindgen(typescript_type = "Input")]
    pub type Input;
    /// `string | Uint8Array | object`: a proof, chain or bundle.
    #[wasm_bindgen(typescript_type = "Document")]
    pub type Document;
    /// `Input[]`: the records of a scroll, in order.
    #[wasm_bindgen(typescript_type = "Input[]")]
    pub type InputList;
    /// Parser limits.
    #[wasm_bindgen(typescript_type = "ParseOptions")]
    pub type ParseOptions;
    /// Options of `verifyRecord` and `verifyRecords`.
    #[wasm_bindgen(typescript_type = "RecordOptions")]
    pub type RecordOptions;
    /// `Record<string, string> | string`: actor id → key, as an object or its JSON text.
    #[wasm_bindgen(typescript_type = "Record<string, string> | string")]
    pub type KeyMap;
}

/// A failure of the core as a JavaScript `Error` (see the module docs).
fn vm_error(failure: Failure) -> JsValue {
    let error = failure.error;
    let e = js_sys::Error::new(&format!("{} ({}): {}", error.name(), error.code(), failure));
    e.set_name("VaultMeshError");
    let _ = Reflect::set(&e, &JsValue::from_str("code"), &JsValue::from(error.code()));
    let _ = Reflect::set(
        &e,
        &JsValue::from_str("vmName"),
        &JsValue::from_str(error.name()),
    );
    if let Some(field) = failure.field {
        let _ = Reflect::set(&e, &JsValue::from_str("field"), &JsValue::from_str(field));
    }
    e.into()
}

fn type_error(message: &str) -> JsValue {
    js_sys::TypeError::new(message).into()
}

type JsResult<T> = Result<T, JsValue>;

/// A record's text or bytes.
fn bytes(value: &JsValue, what: &str) -> JsResult<Vec<u8>> {
    if let Some(s) = value.as_string() {
        return Ok(s.into_bytes());
    }
    match value.dyn_ref::<Uint8Array>() {
        Some(a) => Ok(a.to_vec()),
        None => Err(type_error(&format!(
            "{what} must be a string or a Uint8Array"
        ))),
    }
}

/// A document's text or bytes, or an object serialised with `JSON.stringify`.
fn document(value: &JsValue, what: &str) -> JsResult<Vec<u8>> {
    if value.is_string() || value.is_instance_of::<Uint8Array>() {
        return bytes(value, what);
    }
    if value.is_object() {
        let text = JSON::stringify(value)?;
        return Ok(String::from(text).into_bytes());
    }
    Err(type_error(&format!(
        "{what} must be a string, a Uint8Array or an object"
    )))
}

fn optional(value: &JsValue) -> Option<&JsValue> {
    (!value.is_undefined() && !value.is_null()).then_some(value)
}

/// An optional document argument as bytes (`undefined` and `null` mean absent).
fn optional_bytes(value: Option<&Input>, what: &str) -> JsResult<Option<Vec<u8>>> {
    value
        .map(AsRef::as_ref)
        .and_then(optional)
        .map(|v| bytes(v, what))
        .transpose()
}

/// Member `name` of an options object, if present.
fn option(options: &JsValue, name: &str) -> JsResult<Option<JsValue>> {
    match optional(options) {
        None => Ok(None),
        Some(o) if o.is_object() => {
            Ok(optional(&Reflect::get(o, &JsValue::from_str(name))?).cloned())
        }
        Some(_) => Err(type_error("options must be an object")),
    }
}

/// A non-negative integer argument (at most 2^53 − 1).
fn integer(value: f64, what: &str) -> JsResult<u64> {
    if value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value <= 9_007_199_254_740_991.0
    {
        Ok(value as u64)
    } else {
        Err(type_error(&format!(
            "{what} must be a non-negative integer"
        )))
    }
}

fn option_integer(options: &JsValue, name: &str) -> JsResult<Option<u64>> {
    match option(options, name)? {
        None => Ok(None),
        Some(v) => match v.as_f64() {
            Some(n) => integer(n, name).map(Some),
            None => Err(type_error(&format!("{name} must be a number"))),
        },
    }
}

fn limits(options: &JsValue, defaults: Limits) -> JsResult<Limits> {
    let mut l = defaults;
    if let Some(n) = option_integer(options, "maxBytes")? {
        l.max_bytes = usize::try_from(n).unwrap_or(usize::MAX);
    }
    if let Some(n) = option_integer(options, "maxDepth")? {
        l.max_depth = usize::try_from(n).unwrap_or(usize::MAX);
    }
    Ok(l)
}

fn kind_option(options: &JsValue) -> JsResult<Option<Kind>> {
    match option(options, "kind")? {
        None => Ok(None),
        Some(v) => match v.as_string() {
            Some(name) => api::kind(&name).map(Some).map_err(vm_error),
            None => Err(type_error("kind must be a string")),
        },
    }
}

/// A result document as a JavaScript object.
fn to_js(value: &Value<'_>) -> JsResult<JsValue> {
    JSON::parse(&api::to_json(value))
}

fn outcome(result: api::Outcome) -> JsResult<JsValue> {
    to_js(&result.map_err(vm_error)?)
}

/// A set of trusted keys: actor id → Ed25519 key. Keys are checked once, when added.
#[wasm_bindgen]
pub struct Keyring {
    inner: CoreKeyring,
}

#[wasm_bindgen]
impl Keyring {
    /// A keyring from `{"actor": "ed25519:z6Mk…", …}` (an object, or its JSON text); empty
    /// without an argument. Throws a VaultMeshError for a malformed key.
    #[wasm_bindgen(constructor)]
    pub fn new(keys: Option<KeyMap>) -> JsResult<Keyring> {
        let Some(keys) = keys.as_ref().map(AsRef::as_ref).and_then(optional) else {
            return Ok(Keyring {
                inner: CoreKeyring::new(),
            });
        };
        let text = document(keys, "keys")?;
        Ok(Keyring {
            inner: CoreKeyring::from_json(&text).map_err(|e| vm_error(e.into()))?,
        })
    }

    /// Adds or replaces the key of `actor`. Throws a VaultMeshError for a malformed key.
    pub fn insert(&mut self, actor: &str, key: &str) -> JsResult<()> {
        let key =
            vaultmesh_core::encoding::PublicKey::parse(key).map_err(|e| vm_error(e.into()))?;
        self.inner.insert(actor, key);
        Ok(())
    }

    /// The key of `actor` in its normal text form, if any.
    pub fn get(&self, actor: &str) -> Option<String> {
        self.inner.get(actor).map(ToString::to_string)
    }

    /// Number of keys.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.inner.len()
    }

    /// `{"actor": "ed25519:z6Mk…", …}`, in actor order.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "Record<string, string>")]
    pub fn to_json(&self) -> JsResult<JsValue> {
        let o = js_sys::Object::new();
        for (actor, key) in self.inner.iter() {
            Reflect::set(
                &o,
                &JsValue::from_str(actor),
                &JsValue::from_str(&key.to_string()),
            )?;
        }
        Ok(o.into())
    }
}

/// An Ed25519 signing key (docs/SPEC.md §3.2): sign records as partners do, with the same
/// key file the node and `vm-key` use. The secret stays inside the WebAssembly memory and is
/// overwritten when the key is freed (`free()`, or when it is garbage-collected).
#[wasm_bindgen]
pub struct SecretKey {
    inner: vaultmesh_core::sign::SecretKey,
}

#[wasm_bindgen]
impl SecretKey {
    /// Reads key file text (`ed25519-seed:` and 64 lowercase hex digits, one optional
    /// newline). Throws a VaultMeshError `MALFORMED_SECRET_KEY` that never quotes the text.
    #[wasm_bindgen(js_name = fromKeyFile)]
    pub fn from_key_file(text: &Input) -> JsResult<SecretKey> {
        let text = bytes(text.as_ref(), "text")?;
        let inner = vaultmesh_core::sign::SecretKey::from_key_file(&text)
            .map_err(|e| vm_error(e.into()))?;
        Ok(SecretKey { inner })
    }

    /// The key of a 32-byte Ed25519 seed (RFC 8032 §5.1.5).
    #[wasm_bindgen(js_name = fromSeed)]
    pub fn from_seed(seed: &[u8]) -> JsResult<SecretKey> {
        let seed: [u8; 32] = seed
            .try_into()
            .map_err(|_| type_error("an Ed25519 seed is 32 bytes"))?;
        Ok(SecretKey {
            inner: vaultmesh_core::sign::SecretKey::from_seed(seed),
        })
    }

    /// A new key from `crypto.getRandomValues`.
    pub fn generate() -> JsResult<SecretKey> {
        SecretKey::from_seed(&random_seed()?)
    }

    /// The public key, `ed25519:z6Mk…`.
    #[wasm_bindgen(getter, js_name = publicKey)]
    pub fn public_key(&self) -> String {
        self.inner.public_key().to_string()
    }

    /// The key file text (ends with a newline). Whoever holds it holds the key.
    #[wasm_bindgen(js_name = toKeyFile)]
    pub fn to_key_file(&self) -> String {
        self.inner.to_key_file().to_string()
    }

    /// Signs a record as `options.kind` (`gov_vote`, `checkpoint`, `discovery`, `proposal`, …;
    /// absent: the kind its `type` names) and returns the signed record as canonical JSON
    /// text. The record's fields are checked first: a record every verifier would refuse is
    /// not signed (a VaultMeshError: `MISSING_FIELD`, `INVALID_FIELD`, `UNKNOWN_KIND`, …).
    pub fn sign(&self, input: &Input, options: Option<RecordOptions>) -> JsResult<String> {
        let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
        let kind = kind_option(&options)?;
        let limits = limits(&options, Limits::default())?;
        let signed = self
            .inner
            .sign(kind, &bytes(input.as_ref(), "input")?, &limits)
            .map_err(vm_error)?;
        String::from_utf8(signed).map_err(|_| type_error("signed record is not UTF-8"))
    }
}

/// The version of this package's core, e.g. `0.1.0`.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Every error of the core: `[{code, name, message}]`, in code order.
#[wasm_bindgen(unchecked_return_type = "ErrorInfo[]")]
pub fn errors() -> JsResult<JsValue> {
    to_js(&api::errors())
}

/// The RFC 8785 canonical form of a record (strict I-JSON, wire format §2).
#[wasm_bindgen]
pub fn canonicalize(input: &Input, options: Option<ParseOptions>) -> JsResult<String> {
    let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
    api::canonicalize(
        &bytes(input.as_ref(), "input")?,
        &limits(&options, Limits::default())?,
    )
    .map_err(vm_error)
}

/// `receipt_hash = blake3(JCS(record))`, as `blake3:…`.
#[wasm_bindgen(js_name = receiptHash)]
pub fn receipt_hash(input: &Input, options: Option<ParseOptions>) -> JsResult<String> {
    let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
    api::receipt_hash(
        &bytes(input.as_ref(), "input")?,
        &limits(&options, Limits::default())?,
    )
    .map_err(vm_error)
}

/// Verifies one signed record: strict parse, kind, every field, and the strict Ed25519
/// signature by the signer its kind names, with the keys of `keyring`.
#[wasm_bindgen(js_name = verifyRecord, unchecked_return_type = "VerifiedRecord")]
pub fn verify_record(
    input: &Input,
    keyring: &Keyring,
    options: Option<RecordOptions>,
) -> JsResult<JsValue> {
    let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
    let kind = kind_option(&options)?;
    let limits = limits(&options, Limits::default())?;
    outcome(api::verify_record(
        &bytes(input.as_ref(), "input")?,
        kind,
        &keyring.inner,
        &limits,
    ))
}

/// Verifies many records with one Ed25519 batch equation (random coefficients from
/// `crypto.getRandomValues`). Returns one verdict per input, in order, each exactly
/// `verifyRecord`'s; failures are `{valid: false, error, code, message, field?}`, not thrown.
#[wasm_bindgen(js_name = verifyRecords, unchecked_return_type = "RecordVerdict[]")]
pub fn verify_records(
    inputs: &InputList,
    keyring: &Keyring,
    options: Option<RecordOptions>,
) -> JsResult<JsValue> {
    let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
    let kind = kind_option(&options)?;
    let limits = limits(&options, Limits::default())?;
    let inputs = list(inputs.as_ref(), "inputs")?;
    let slices: Vec<&[u8]> = inputs.iter().map(Vec::as_slice).collect();
    let seed = random_seed()?;
    to_js(&api::verify_records(
        &slices,
        kind,
        &keyring.inner,
        &limits,
        &seed,
    ))
}

/// Verifies a federation agreement: fields, parties, key exchange (against the keys of
/// `keyring`, which may be empty), `agreement_hash` and every party's signature.
#[wasm_bindgen(js_name = verifyAgreement, unchecked_return_type = "VerifiedAgreement")]
pub fn verify_agreement(input: &Input, keyring: &Keyring) -> JsResult<JsValue> {
    outcome(api::verify_agreement(
        &bytes(input.as_ref(), "input")?,
        &keyring.inner,
    ))
}

/// Verifies a scroll checkpoint (signed tree head) and returns what it establishes.
#[wasm_bindgen(js_name = verifyCheckpoint, unchecked_return_type = "VerifiedCheckpoint")]
pub fn verify_checkpoint(input: &Input, keyring: &Keyring) -> JsResult<JsValue> {
    outcome(api::verify_checkpoint(
        &bytes(input.as_ref(), "input")?,
        &keyring.inner,
    ))
}

/// Verifies a witness receipt; with `checkpoint` (the witnessed checkpoint record, verified
/// first), also that mesh, scroll, root and size are the checkpoint's.
#[wasm_bindgen(js_name = verifyWitness, unchecked_return_type = "VerifiedReceipt")]
pub fn verify_witness(
    input: &Input,
    keyring: &Keyring,
    checkpoint: Option<Input>,
) -> JsResult<JsValue> {
    let checkpoint = optional_bytes(checkpoint.as_ref(), "checkpoint")?;
    outcome(api::verify_witness(
        &bytes(input.as_ref(), "input")?,
        &keyring.inner,
        checkpoint.as_deref(),
    ))
}

/// Verifies a cross-anchor; with `agreement` (verified first), also that the agreement is
/// between its two meshes at trust level 3 (attest) or above.
#[wasm_bindgen(js_name = verifyCrossAnchor, unchecked_return_type = "VerifiedReceipt")]
pub fn verify_cross_anchor(
    input: &Input,
    keyring: &Keyring,
    agreement: Option<Input>,
) -> JsResult<JsValue> {
    let agreement = optional_bytes(agreement.as_ref(), "agreement")?;
    outcome(api::verify_cross_anchor(
        &bytes(input.as_ref(), "input")?,
        &keyring.inner,
        agreement.as_deref(),
    ))
}

/// The elements of an array argument as bytes.
fn list(value: &JsValue, what: &str) -> JsResult<Vec<Vec<u8>>> {
    if !Array::is_array(value) {
        return Err(type_error(&format!("{what} must be an array")));
    }
    Array::from(value).iter().map(|v| bytes(&v, what)).collect()
}

fn leaves(records: &JsValue) -> JsResult<Vec<vaultmesh_core::Digest>> {
    let records = list(records, "records")?;
    api::leaves(records.iter().map(Vec::as_slice)).map_err(vm_error)
}

/// The Merkle root (RFC 9162 with BLAKE3) of a scroll given as its records, in order.
#[wasm_bindgen(js_name = merkleRoot)]
pub fn merkle_root(records: &InputList) -> JsResult<String> {
    Ok(api::merkle_root(&leaves(records.as_ref())?))
}

/// Root and size of a scroll given as JSON Lines (one record per line).
#[wasm_bindgen(js_name = jsonlRoot, unchecked_return_type = "JsonlRoot")]
pub fn jsonl_root(input: &Input) -> JsResult<JsValue> {
    outcome(api::jsonl_root(&bytes(input.as_ref(), "input")?))
}

/// The inclusion proof of record `index` in the scroll of `records`.
#[wasm_bindgen(js_name = proveInclusion, unchecked_return_type = "InclusionProof")]
pub fn prove_inclusion(records: &InputList, index: f64) -> JsResult<JsValue> {
    let index = integer(index, "index")?;
    outcome(api::prove_inclusion(&leaves(records.as_ref())?, index))
}

/// The consistency proof from the first `oldSize` records to all of `records`.
#[wasm_bindgen(js_name = proveConsistency, unchecked_return_type = "ConsistencyProof")]
pub fn prove_consistency(
    records: &InputList,
    #[wasm_bindgen(js_name = oldSize)] old_size: f64,
) -> JsResult<JsValue> {
    let old_size = integer(old_size, "oldSize")?;
    outcome(api::prove_consistency(&leaves(records.as_ref())?, old_size))
}

/// Checks that `record` is in the tree of `treeSize` leaves with root `root` (take both from a
/// verified checkpoint). Returns `true`; throws a VaultMeshError otherwise.
#[wasm_bindgen(js_name = verifyInclusion)]
pub fn verify_inclusion(
    record: &Input,
    proof: &Document,
    root: &str,
    #[wasm_bindgen(js_name = treeSize)] tree_size: f64,
) -> JsResult<bool> {
    let tree_size = integer(tree_size, "treeSize")?;
    let proof = document(proof.as_ref(), "proof")?;
    api::verify_inclusion(&bytes(record.as_ref(), "record")?, &proof, root, tree_size)
        .map_err(vm_error)?;
    Ok(true)
}

/// Checks that the tree with root `oldRoot` is a prefix of the tree with root `newRoot` (sizes
/// from the proof: compare them with verified checkpoints). Returns `true` or throws.
#[wasm_bindgen(js_name = verifyConsistency)]
pub fn verify_consistency(
    proof: &Document,
    #[wasm_bindgen(js_name = oldRoot)] old_root: &str,
    #[wasm_bindgen(js_name = newRoot)] new_root: &str,
) -> JsResult<bool> {
    api::verify_consistency(&document(proof.as_ref(), "proof")?, old_root, new_root)
        .map_err(vm_error)?;
    Ok(true)
}

/// A digest in its normal form (`blake3:` + 64 lowercase hex digits).
#[wasm_bindgen(js_name = parseDigest)]
pub fn parse_digest(text: &str) -> JsResult<String> {
    api::parse_digest(text.as_bytes()).map_err(vm_error)
}

/// A public key in its normal form (`ed25519:z6Mk…`; `did:key:z6Mk…` is accepted).
#[wasm_bindgen(js_name = parsePublicKey)]
pub fn parse_public_key(text: &str) -> JsResult<String> {
    api::parse_public_key(text.as_bytes()).map_err(vm_error)
}

/// A signature in its normal form (`z` + base58btc of 64 bytes).
#[wasm_bindgen(js_name = parseSignature)]
pub fn parse_signature(text: &str) -> JsResult<String> {
    api::parse_signature(text.as_bytes()).map_err(vm_error)
}

/// A timestamp in its normal form (`YYYY-MM-DDTHH:MM:SSZ`).
#[wasm_bindgen(js_name = parseTimestamp)]
pub fn parse_timestamp(text: &str) -> JsResult<String> {
    api::parse_timestamp(text.as_bytes()).map_err(vm_error)
}

/// The class and name of an actor id `did:vm:<class>:<name>`.
#[wasm_bindgen(js_name = checkActorId, unchecked_return_type = "ActorId")]
pub fn check_actor_id(text: &str) -> JsResult<JsValue> {
    outcome(api::check_actor_id(text.as_bytes()))
}

/// The name of an engine id `engine:<name>`, as `{name}`.
#[wasm_bindgen(js_name = checkEngineId, unchecked_return_type = "{ name: string }")]
pub fn check_engine_id(text: &str) -> JsResult<JsValue> {
    outcome(api::check_engine_id(text.as_bytes()))
}

/// Verifies a governance chain `{"genesis": constitution, "receipts": [...]}` and returns its
/// report; a broken rule is the report's `violation`, never thrown. Default limits 64 MiB and
/// depth 64.
#[wasm_bindgen(js_name = verifyGovernanceChain, unchecked_return_type = "ChainReport")]
pub fn verify_governance_chain(
    chain: &Document,
    options: Option<ParseOptions>,
) -> JsResult<JsValue> {
    let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
    let limits = limits(&options, api::CHAIN_LIMITS)?;
    to_js(&api::verify_governance_chain(
        &document(chain.as_ref(), "chain")?,
        &limits,
    ))
}

/// Verifies an audit bundle with the caller's pinned keys (`keyring`, may be empty) and returns
/// the report of every item. Throws only when the input is not a bundle at all. Default limits
/// 64 MiB and depth 80.
#[wasm_bindgen(js_name = verifyBundle, unchecked_return_type = "BundleReport")]
pub fn verify_bundle(
    bundle: &Document,
    keyring: &Keyring,
    options: Option<ParseOptions>,
) -> JsResult<JsValue> {
    let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
    let limits = limits(&options, BUNDLE_LIMITS)?;
    outcome(api::verify_bundle(
        &document(bundle.as_ref(), "bundle")?,
        &keyring.inner,
        &limits,
    ))
}

/// 32 random bytes from `crypto.getRandomValues` (browsers and Node 20+).
fn random_seed() -> JsResult<[u8; 32]> {
    let crypto = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto"))?;
    let get: Function = Reflect::get(&crypto, &JsValue::from_str("getRandomValues"))?
        .dyn_into()
        .map_err(|_| type_error("crypto.getRandomValues is not available"))?;
    let buffer = Uint8Array::new_with_length(32);
    get.call1(&crypto, &buffer)?;
    let mut seed = [0u8; 32];
    buffer.copy_to(&mut seed);
    Ok(seed)
}

/// Errors of the core by code, for scripts that only have a number.
#[wasm_bindgen(js_name = errorName)]
pub fn error_name(code: u16) -> Option<String> {
    Error::from_code(code).map(|e| e.name().to_string())
}
