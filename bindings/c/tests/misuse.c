/*
 * Misuse of the C API: NULL pointers, zero lengths, invalid UTF-8, truncated input, buffers too
 * small, handles of the wrong type. Every call must return its documented status and never
 * crash; run under AddressSanitizer/UBSan and Valgrind by run.sh.
 *
 * Using a handle after its _free is documented as the caller's error and is not tested.
 *
 * Prints "N passed, N failed" and exits non-zero on a failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vaultmesh.h"

static int passed;
static int failed;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (cond) {                                                                                \
            passed++;                                                                              \
        } else {                                                                                   \
            failed++;                                                                              \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                                 \
        }                                                                                          \
    } while (0)

#define EXPECT(call, status)                                                                       \
    do {                                                                                           \
        vm_status got_ = (call);                                                                   \
        if (got_ == (status)) {                                                                    \
            passed++;                                                                              \
        } else {                                                                                   \
            failed++;                                                                              \
            printf("FAIL %s:%d: %s: expected %s, got %s\n", __FILE__, __LINE__, #call,             \
                   vm_status_name(status), vm_status_name(got_));                                  \
        }                                                                                          \
    } while (0)

#define LIT(s) (s), (sizeof(s) - 1)
#define ULIT(s) (const uint8_t *)(s), (sizeof(s) - 1)

/* These tests are about the boundary, not verdicts (vectors.c has those). The key is the
 * test key of did:vm:mesh:dublin from test-vectors. */
static const char RECORD[] = "{\"type\":\"scroll_checkpoint\",\"mesh_id\":\"did:vm:mesh:dublin\"}";
static const char KEY[] = "ed25519:z6MkgVKP3zJx6RpxFNCQ26xgm1ypYKfmPr1imdRj9qh2S7BC";

static void status_functions(void) {
    char buf[256];
    size_t len = 12345;

    CHECK(strcmp(vm_version(), VM_VERSION_STRING) == 0);
    CHECK(strcmp(vm_status_name(VM_STATUS_OK), "OK") == 0);
    CHECK(strcmp(vm_status_name(VM_STATUS_DUPLICATE_KEY), "DUPLICATE_KEY") == 0);
    CHECK(strcmp(vm_status_name(VM_STATUS_BUFFER_TOO_SMALL), "BUFFER_TOO_SMALL") == 0);
    CHECK(strcmp(vm_status_name(1), "UNKNOWN_STATUS") == 0);
    CHECK(strcmp(vm_status_name(0xFFFFFFFFu), "UNKNOWN_STATUS") == 0);

    EXPECT(vm_status_message(VM_STATUS_DUPLICATE_KEY, buf, sizeof buf, &len), VM_STATUS_OK);
    CHECK(len == strlen("duplicate member name in a JSON object") &&
          memcmp(buf, "duplicate member name in a JSON object", len) == 0);
    /* Size query, then a buffer one byte short, then exactly right. */
    size_t need = 0;
    EXPECT(vm_status_message(VM_STATUS_DUPLICATE_KEY, NULL, 0, &need), VM_STATUS_BUFFER_TOO_SMALL);
    CHECK(need == len);
    memset(buf, 'x', sizeof buf);
    EXPECT(vm_status_message(VM_STATUS_DUPLICATE_KEY, buf, need - 1, &len), VM_STATUS_BUFFER_TOO_SMALL);
    CHECK(len == need && buf[0] == 'x');
    char *exact = malloc(need);
    EXPECT(vm_status_message(VM_STATUS_DUPLICATE_KEY, exact, need, &len), VM_STATUS_OK);
    CHECK(len == need && memcmp(exact, "duplicate", 9) == 0);
    free(exact);
    /* NULL out_written; NULL buf with a capacity. */
    EXPECT(vm_status_message(VM_STATUS_OK, buf, sizeof buf, NULL), VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_status_message(VM_STATUS_OK, NULL, 10, &len), VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_status_message(4242, buf, sizeof buf, &len), VM_STATUS_OK);
    CHECK(len == strlen("unknown status"));
    /* Every status has a name and a message that fits 128 bytes. */
    for (uint32_t s = 0; s < 1000; s++) {
        if (strcmp(vm_status_name(s), "UNKNOWN_STATUS") == 0) continue;
        EXPECT(vm_status_message(s, buf, 128, &len), VM_STATUS_OK);
    }
}

static void keyrings(void) {
    vm_keyring *k = NULL;
    size_t n = 99;

    EXPECT(vm_keyring_new(NULL), VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_keyring_new(&k), VM_STATUS_OK);
    EXPECT(vm_keyring_add(NULL, LIT("did:vm:mesh:a"), LIT(KEY)), VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_keyring_add(k, NULL, 5, LIT(KEY)), VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_keyring_add(k, LIT("did:vm:mesh:a"), NULL, 5), VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_keyring_add(k, LIT("did:vm:mesh:\xff"), LIT(KEY)), VM_STATUS_ARGUMENT_NOT_UTF8);
    EXPECT(vm_keyring_add(k, LIT("did:vm:mesh:a"), LIT("ed25519:\xc3")), VM_STATUS_ARGUMENT_NOT_UTF8);
    EXPECT(vm_keyring_add(k, LIT("did:vm:mesh:a"), NULL, 0), VM_STATUS_MALFORMED_KEY);
    EXPECT(vm_keyring_add(k, LIT("did:vm:mesh:a"), KEY, sizeof KEY - 3), VM_STATUS_MALFORMED_KEY);
    EXPECT(vm_keyring_len(k, &n), VM_STATUS_OK);
    CHECK(n == 0);
    EXPECT(vm_keyring_add(k, LIT("did:vm:mesh:a"), LIT(KEY)), VM_STATUS_OK);
    EXPECT(vm_keyring_len(k, &n), VM_STATUS_OK);
    CHECK(n == 1);
    EXPECT(vm_keyring_len(k, NULL), VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_keyring_len(NULL, &n), VM_STATUS_NULL_ARGUMENT);
    vm_keyring_free(k);
    vm_keyring_free(NULL);

    vm_keyring *from = (vm_keyring *)0x1;
    EXPECT(vm_keyring_from_json(ULIT("{\"a\":\"x\",\"a\":\"y\"}"), &from), VM_STATUS_DUPLICATE_KEY);
    CHECK(from == (vm_keyring *)0x1); /* unchanged on failure */
    EXPECT(vm_keyring_from_json(NULL, 0, &from), VM_STATUS_JSON_SYNTAX);
    EXPECT(vm_keyring_from_json(NULL, 3, &from), VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_keyring_from_json(ULIT("{}"), NULL), VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_keyring_from_json(ULIT("{\"did:vm:mesh:a\":\"" "ed25519:z6Mk" "\"}"), &from), VM_STATUS_MALFORMED_KEY);
    EXPECT(vm_keyring_from_json(ULIT("{}"), &from), VM_STATUS_OK);
    vm_keyring_free(from);
}

static void records(void) {
    vm_keyring *k = NULL;
    vm_verdict v;
    vm_limits tiny = {8, 0};
    vm_limits shallow = {0, 1};

    vm_keyring_new(&k);
    EXPECT(vm_record_verify(NULL, ULIT(RECORD), NULL, 0, NULL, &v), VM_STATUS_NULL_ARGUMENT);
    CHECK(v.status == VM_STATUS_NULL_ARGUMENT && v.field == NULL);
    EXPECT(vm_record_verify(k, NULL, 10, NULL, 0, NULL, &v), VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_record_verify(k, NULL, 0, NULL, 0, NULL, &v), VM_STATUS_JSON_SYNTAX);
    EXPECT(vm_record_verify(k, ULIT("\xef\xbb\xbf{}"), NULL, 0, NULL, NULL), VM_STATUS_BYTE_ORDER_MARK);
    EXPECT(vm_record_verify(k, ULIT("{\"a\":\"\xff\"}"), NULL, 0, NULL, NULL), VM_STATUS_INVALID_UTF8);
    EXPECT(vm_record_verify(k, ULIT(RECORD), LIT("\xff"), NULL, &v), VM_STATUS_ARGUMENT_NOT_UTF8);
    EXPECT(vm_record_verify(k, ULIT(RECORD), LIT("no_such_kind"), NULL, &v), VM_STATUS_UNKNOWN_KIND);
    /* Truncated record: every proper prefix is rejected, none crashes. */
    for (size_t cut = 0; cut < sizeof RECORD - 1; cut++) {
        EXPECT(vm_record_verify(k, (const uint8_t *)RECORD, cut, NULL, 0, NULL, &v), VM_STATUS_JSON_SYNTAX);
    }
    /* The whole record: well-formed, but its fields are incomplete. */
    EXPECT(vm_record_verify(k, ULIT(RECORD), NULL, 0, NULL, &v), VM_STATUS_MISSING_FIELD);
    CHECK(v.field != NULL && v.field_len > 0);
    EXPECT(vm_record_verify(k, ULIT(RECORD), NULL, 0, &tiny, &v), VM_STATUS_INPUT_TOO_LARGE);
    EXPECT(vm_record_verify(k, ULIT("{\"a\":{}}"), NULL, 0, &shallow, &v), VM_STATUS_DEPTH_EXCEEDED);
    EXPECT(vm_record_verify(k, ULIT("[]"), NULL, 0, NULL, &v), VM_STATUS_NOT_AN_OBJECT);

    /* Batch: zero items; NULL arrays with items; per-item verdicts. */
    vm_verdict verdicts[3];
    const uint8_t *ptrs[3] = {(const uint8_t *)RECORD, NULL, (const uint8_t *)"{"};
    size_t lens[3] = {sizeof RECORD - 1, 0, 1};
    EXPECT(vm_record_verify_batch(k, NULL, NULL, 0, NULL, 0, NULL, NULL, NULL), VM_STATUS_OK);
    EXPECT(vm_record_verify_batch(k, NULL, lens, 3, NULL, 0, NULL, NULL, verdicts), VM_STATUS_NULL_ARGUMENT);
    CHECK(verdicts[0].status == VM_STATUS_NULL_ARGUMENT && verdicts[2].status == VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_record_verify_batch(k, ptrs, lens, 3, NULL, 0, NULL, NULL, NULL), VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_record_verify_batch(NULL, ptrs, lens, 3, NULL, 0, NULL, NULL, verdicts), VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_record_verify_batch(k, ptrs, lens, 3, LIT("\xff"), NULL, NULL, verdicts), VM_STATUS_ARGUMENT_NOT_UTF8);
    EXPECT(vm_record_verify_batch(k, ptrs, lens, 3, NULL, 0, NULL, NULL, verdicts), VM_STATUS_OK);
    CHECK(verdicts[0].status == VM_STATUS_MISSING_FIELD);
    CHECK(verdicts[1].status == VM_STATUS_JSON_SYNTAX);
    CHECK(verdicts[2].status == VM_STATUS_JSON_SYNTAX);
    lens[1] = 4; /* NULL pointer with a length */
    EXPECT(vm_record_verify_batch(k, ptrs, lens, 3, NULL, 0, NULL, NULL, verdicts), VM_STATUS_NULL_ARGUMENT);
    uint8_t seed[32] = {1, 2, 3};
    lens[1] = 0;
    EXPECT(vm_record_verify_batch(k, ptrs, lens, 3, NULL, 0, NULL, seed, verdicts), VM_STATUS_OK);

    /* Canonical JSON into caller buffers. */
    uint8_t out[64];
    size_t len = 99, need = 0;
    EXPECT(vm_json_canonicalize(ULIT("{\"b\":1,\"a\":2}"), NULL, NULL, 0, &need), VM_STATUS_BUFFER_TOO_SMALL);
    CHECK(need == strlen("{\"a\":2,\"b\":1}"));
    memset(out, 'x', sizeof out);
    EXPECT(vm_json_canonicalize(ULIT("{\"b\":1,\"a\":2}"), NULL, out, need - 1, &len), VM_STATUS_BUFFER_TOO_SMALL);
    CHECK(len == need && out[0] == 'x');
    EXPECT(vm_json_canonicalize(ULIT("{\"b\":1,\"a\":2}"), NULL, out, need, &len), VM_STATUS_OK);
    CHECK(len == need && memcmp(out, "{\"a\":2,\"b\":1}", len) == 0);
    EXPECT(vm_json_canonicalize(ULIT("{\"b\":1,\"a\":2}"), NULL, out, sizeof out, NULL), VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_json_canonicalize(ULIT("{\"b\":1,\"a\":2}"), NULL, NULL, 5, &len), VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_json_canonicalize(ULIT("{\"a\":1,\"a\":2}"), NULL, out, sizeof out, &len), VM_STATUS_DUPLICATE_KEY);
    CHECK(len == 0);
    EXPECT(vm_json_canonicalize(ULIT("{\"a\":\"\\ud800\"}"), NULL, out, sizeof out, &len), VM_STATUS_LONE_SURROGATE);
    EXPECT(vm_json_canonicalize(ULIT("{\"a\":9007199254740993}"), NULL, out, sizeof out, &len),
           VM_STATUS_NUMBER_OUT_OF_RANGE);

    vm_digest d;
    EXPECT(vm_record_receipt_hash(ULIT("{}"), NULL, NULL), VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_record_receipt_hash(ULIT("{}"), NULL, &d), VM_STATUS_OK);
    vm_keyring_free(k);
}

static void encodings(void) {
    vm_digest d;
    char text[VM_DIGEST_TEXT_LEN];
    size_t len = 0;

    EXPECT(vm_digest_parse(NULL, 0, &d), VM_STATUS_MALFORMED_DIGEST);
    EXPECT(vm_digest_parse(NULL, 71, &d), VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_digest_parse(LIT("blake3:\xff"), &d), VM_STATUS_ARGUMENT_NOT_UTF8);
    EXPECT(vm_digest_parse(LIT("sha256:00"), &d), VM_STATUS_UNSUPPORTED_HASH_ALGORITHM);
    EXPECT(vm_digest_parse(LIT("blake3:af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"), NULL),
           VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_digest_parse(LIT("blake3:af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"), &d),
           VM_STATUS_OK);
    EXPECT(vm_digest_to_text(&d, text, sizeof text - 1, &len), VM_STATUS_BUFFER_TOO_SMALL);
    CHECK(len == VM_DIGEST_TEXT_LEN);
    EXPECT(vm_digest_to_text(&d, text, sizeof text, &len), VM_STATUS_OK);
    CHECK(memcmp(text, "blake3:af1349b9", 15) == 0);
    EXPECT(vm_digest_to_text(NULL, text, sizeof text, &len), VM_STATUS_NULL_ARGUMENT);

    EXPECT(vm_public_key_normalize(LIT(KEY), NULL, 0, &len), VM_STATUS_BUFFER_TOO_SMALL);
    CHECK(len == strlen(KEY));
    EXPECT(vm_public_key_normalize(LIT("did:key:\xff"), text, sizeof text, &len), VM_STATUS_ARGUMENT_NOT_UTF8);
    EXPECT(vm_signature_normalize(NULL, 0, text, sizeof text, &len), VM_STATUS_MALFORMED_SIGNATURE);
    EXPECT(vm_timestamp_normalize(LIT("2025-02-30T00:00:00Z"), text, sizeof text, &len), VM_STATUS_MALFORMED_TIMESTAMP);
    EXPECT(vm_timestamp_normalize(LIT("2025-02-28T00:00:00Z"), text, sizeof text, &len), VM_STATUS_OK);
    CHECK(len == 20);
    EXPECT(vm_actor_id_check(NULL, 0), VM_STATUS_MALFORMED_ACTOR_ID);
    EXPECT(vm_actor_id_check(LIT("did:vm:human:alice")), VM_STATUS_OK);
    EXPECT(vm_engine_id_check(LIT("engine:\xff")), VM_STATUS_ARGUMENT_NOT_UTF8);
}

static void trees(void) {
    vm_scroll_tree *t = NULL;
    vm_digest root, empty;
    uint64_t size = 99;
    size_t line = 99, len = 0, need = 0;
    uint8_t proof[512];

    EXPECT(vm_scroll_tree_new(NULL), VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_scroll_tree_new(&t), VM_STATUS_OK);
    EXPECT(vm_scroll_tree_root(t, &empty), VM_STATUS_OK);
    EXPECT(vm_scroll_tree_size(t, &size), VM_STATUS_OK);
    CHECK(size == 0);
    EXPECT(vm_scroll_tree_root(t, NULL), VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_scroll_tree_append(NULL, ULIT("{}")), VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_scroll_tree_append(t, NULL, 0), VM_STATUS_JSON_SYNTAX);
    EXPECT(vm_scroll_tree_append(t, ULIT("{\"seq\":")), VM_STATUS_JSON_SYNTAX);
    EXPECT(vm_scroll_tree_size(t, &size), VM_STATUS_OK);
    CHECK(size == 0); /* unchanged after errors */
    EXPECT(vm_scroll_tree_prove_inclusion(t, 0, proof, sizeof proof, &len), VM_STATUS_INDEX_OUT_OF_RANGE);
    CHECK(len == 0);
    EXPECT(vm_scroll_tree_append(t, ULIT("{\"seq\":0}")), VM_STATUS_OK);
    EXPECT(vm_scroll_tree_append_jsonl(t, ULIT("{\"seq\":1}\n{\"seq\":2}\n"), &line), VM_STATUS_OK);
    CHECK(line == 0);
    EXPECT(vm_scroll_tree_append_jsonl(t, ULIT("{\"seq\":3}\n \n{\"seq\":4}"), &line), VM_STATUS_BLANK_LINE);
    CHECK(line == 2);
    EXPECT(vm_scroll_tree_append_jsonl(t, ULIT("{\"seq\":3}\n{\"seq\":3,\"seq\":4}"), &line), VM_STATUS_DUPLICATE_KEY);
    CHECK(line == 2);
    EXPECT(vm_scroll_tree_append_jsonl(t, NULL, 0, NULL), VM_STATUS_OK);
    EXPECT(vm_scroll_tree_size(t, &size), VM_STATUS_OK);
    CHECK(size == 3); /* all or nothing */
    EXPECT(vm_scroll_tree_root(t, &root), VM_STATUS_OK);
    CHECK(memcmp(&root, &empty, sizeof root) != 0);

    EXPECT(vm_scroll_tree_prove_inclusion(t, 1, NULL, 0, &need), VM_STATUS_BUFFER_TOO_SMALL);
    EXPECT(vm_scroll_tree_prove_inclusion(t, 1, proof, need - 1, &len), VM_STATUS_BUFFER_TOO_SMALL);
    EXPECT(vm_scroll_tree_prove_inclusion(t, 1, proof, need, &len), VM_STATUS_OK);
    EXPECT(vm_merkle_verify_inclusion(&root, 3, ULIT("{\"seq\":1}"), proof, len), VM_STATUS_OK);
    EXPECT(vm_merkle_verify_inclusion(&root, 3, ULIT("{\"seq\":2}"), proof, len), VM_STATUS_INCLUSION_PROOF_MISMATCH);
    EXPECT(vm_merkle_verify_inclusion(&root, 4, ULIT("{\"seq\":1}"), proof, len), VM_STATUS_CHECKPOINT_MISMATCH);
    EXPECT(vm_merkle_verify_inclusion(&root, 3, ULIT("{\"seq\":1}"), proof, len - 1), VM_STATUS_JSON_SYNTAX);
    EXPECT(vm_merkle_verify_inclusion(&root, 3, ULIT("{\"seq\":1}"), NULL, 0), VM_STATUS_JSON_SYNTAX);
    EXPECT(vm_merkle_verify_inclusion(NULL, 3, ULIT("{\"seq\":1}"), proof, len), VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_merkle_verify_inclusion(&root, 3, ULIT("{\"seq\":1}"), ULIT("{}")), VM_STATUS_MALFORMED_PROOF);

    vm_digest old_root;
    const uint8_t *first[1] = {(const uint8_t *)"{\"seq\":0}"};
    size_t first_len[1] = {9};
    EXPECT(vm_merkle_root(first, first_len, 1, &old_root, NULL), VM_STATUS_OK);
    EXPECT(vm_scroll_tree_prove_consistency(t, 0, proof, sizeof proof, &len), VM_STATUS_INVALID_TREE_SIZE);
    EXPECT(vm_scroll_tree_prove_consistency(t, 4, proof, sizeof proof, &len), VM_STATUS_INVALID_TREE_SIZE);
    EXPECT(vm_scroll_tree_prove_consistency(t, 1, proof, sizeof proof, &len), VM_STATUS_OK);
    EXPECT(vm_merkle_verify_consistency(&old_root, &root, proof, len), VM_STATUS_OK);
    EXPECT(vm_merkle_verify_consistency(&root, &old_root, proof, len), VM_STATUS_CONSISTENCY_PROOF_MISMATCH);
    EXPECT(vm_merkle_verify_consistency(&old_root, &root, proof, len / 2), VM_STATUS_JSON_SYNTAX);

    /* Roots of lists and JSON Lines. */
    size_t failed_index = 99;
    const uint8_t *bad[2] = {(const uint8_t *)"{}", (const uint8_t *)"{"};
    size_t bad_len[2] = {2, 1};
    EXPECT(vm_merkle_root(NULL, NULL, 0, &root, NULL), VM_STATUS_OK);
    CHECK(memcmp(&root, &empty, sizeof root) == 0);
    EXPECT(vm_merkle_root(bad, bad_len, 2, &root, &failed_index), VM_STATUS_JSON_SYNTAX);
    CHECK(failed_index == 1);
    EXPECT(vm_merkle_root(NULL, bad_len, 2, &root, NULL), VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_merkle_root_jsonl(NULL, 0, &root, &size, &line), VM_STATUS_OK);
    CHECK(size == 0 && line == 0 && memcmp(&root, &empty, sizeof root) == 0);
    EXPECT(vm_merkle_root_jsonl(ULIT("\n"), &root, &size, &line), VM_STATUS_BLANK_LINE);
    CHECK(line == 1);
    EXPECT(vm_merkle_leaf_hash(ULIT("{}"), NULL), VM_STATUS_NULL_ARGUMENT);

    /* A handle of another type is refused, not used; freeing it as the wrong type is ignored. */
    vm_keyring *k = NULL;
    vm_keyring_new(&k);
    EXPECT(vm_scroll_tree_size((const vm_scroll_tree *)(const void *)k, &size), VM_STATUS_INVALID_ARGUMENT);
    EXPECT(vm_keyring_len((const vm_keyring *)(const void *)t, &len), VM_STATUS_INVALID_ARGUMENT);
    EXPECT(vm_record_verify((const vm_keyring *)(const void *)t, ULIT("{}"), NULL, 0, NULL, NULL),
           VM_STATUS_INVALID_ARGUMENT);
    vm_keyring_free((vm_keyring *)(void *)t);
    EXPECT(vm_scroll_tree_size(t, &size), VM_STATUS_OK); /* still alive */
    vm_keyring_free(k);
    vm_scroll_tree_free(t);
    vm_scroll_tree_free(NULL);
}

static void federation(void) {
    vm_keyring *k = NULL;
    vm_agreement *a = (vm_agreement *)0x1;
    vm_checkpoint *c = (vm_checkpoint *)0x1;
    vm_verdict v;
    uint64_t n;
    vm_digest d;
    vm_chain_report report;

    vm_keyring_new(&k);
    EXPECT(vm_agreement_verify(k, ULIT("{\"parties\":"), NULL, &v, &a), VM_STATUS_JSON_SYNTAX);
    CHECK(a == NULL && v.status == VM_STATUS_JSON_SYNTAX);
    EXPECT(vm_agreement_verify(NULL, ULIT("{}"), NULL, &v, &a), VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_agreement_verify(k, ULIT("{}"), NULL, NULL, NULL), VM_STATUS_MISSING_FIELD);
    EXPECT(vm_checkpoint_verify(k, ULIT(RECORD), NULL, &v, &c), VM_STATUS_MISSING_FIELD);
    CHECK(c == NULL);
    EXPECT(vm_checkpoint_verify(k, NULL, 1, NULL, &v, &c), VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_witness_verify(k, NULL, 0, NULL, NULL, &v), VM_STATUS_JSON_SYNTAX);
    EXPECT(vm_cross_anchor_verify(k, ULIT("{}"), NULL, NULL, &v), VM_STATUS_MISSING_FIELD);
    EXPECT(vm_cross_anchor_verify(k, ULIT("{}"), NULL, (const vm_agreement *)(const void *)k, &v),
           VM_STATUS_INVALID_ARGUMENT);
    EXPECT(vm_agreement_hash(NULL, &d), VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_agreement_trust_level(NULL, &n), VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_checkpoint_tree_size(NULL, &n), VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_checkpoint_root(NULL, &d), VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_checkpoint_verify_inclusion(NULL, ULIT("{}"), ULIT("{}"), &v), VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_checkpoint_verify_consistency(NULL, NULL, ULIT("{}"), &v), VM_STATUS_NULL_ARGUMENT);
    vm_agreement_free(NULL);
    vm_checkpoint_free(NULL);

    vm_governance_chain *chain = (vm_governance_chain *)0x1;
    uint8_t out[256];
    size_t len = 0;
    EXPECT(vm_governance_chain_verify(NULL, 0, NULL, &report, NULL), VM_STATUS_JSON_SYNTAX);
    CHECK(report.status == VM_STATUS_JSON_SYNTAX && report.violation_index == -1);
    EXPECT(vm_governance_chain_verify(ULIT("{\"receipts\":[]}"), NULL, &report, &chain), VM_STATUS_MISSING_FIELD);
    CHECK(report.field_len == strlen("genesis") && memcmp(report.field, "genesis", report.field_len) == 0);
    CHECK(chain != NULL && chain != (vm_governance_chain *)0x1);
    EXPECT(vm_governance_chain_report_json(chain, out, sizeof out, &len), VM_STATUS_OK);
    CHECK(len == strlen("{\"code\":300,\"error\":\"MISSING_FIELD\",\"index\":null,\"valid\":false}"));
    EXPECT(vm_governance_chain_report_json(chain, out, 3, &len), VM_STATUS_BUFFER_TOO_SMALL);
    EXPECT(vm_governance_chain_emergency_powers_at(chain, LIT("2025-13-01T00:00:00Z"), out, sizeof out, &len),
           VM_STATUS_MALFORMED_TIMESTAMP);
    EXPECT(vm_governance_chain_emergency_powers_at(chain, LIT("2025-12-01T00:00:00Z"), out, sizeof out, &len),
           VM_STATUS_OK);
    CHECK(len == 2 && memcmp(out, "[]", 2) == 0);
    EXPECT(vm_governance_chain_suspended_capabilities(chain, LIT("\xff"), LIT("2025-12-01T00:00:00Z"), out,
                                                      sizeof out, &len),
           VM_STATUS_ARGUMENT_NOT_UTF8);
    EXPECT(vm_governance_chain_suspended_capabilities(NULL, LIT("did:vm:human:a"), LIT("2025-12-01T00:00:00Z"), out,
                                                      sizeof out, &len),
           VM_STATUS_NULL_ARGUMENT);
    vm_governance_chain_free(chain);
    vm_governance_chain_free(NULL);
    EXPECT(vm_governance_chain_verify(NULL, 5, NULL, &report, NULL), VM_STATUS_NULL_ARGUMENT);

    /* Bundles: not a bundle at all is an error; the report handle is NULL then. */
    vm_bundle_report *b = (vm_bundle_report *)0x1;
    vm_bundle_summary summary;
    EXPECT(vm_bundle_verify(k, ULIT("[]"), NULL, &summary, &b), VM_STATUS_NOT_AN_OBJECT);
    CHECK(b == NULL);
    EXPECT(vm_bundle_verify(k, ULIT("{\"version\":1}"), NULL, NULL, &b), VM_STATUS_MISSING_FIELD);
    EXPECT(vm_bundle_verify(NULL, ULIT("{}"), NULL, &summary, &b), VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_bundle_verify(k, NULL, 9, NULL, &summary, &b), VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_bundle_verify(k, NULL, 0, NULL, &summary, &b), VM_STATUS_JSON_SYNTAX);
    EXPECT(vm_bundle_report_json(NULL, out, sizeof out, &len), VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_bundle_report_summary(NULL, &summary), VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_bundle_report_summary((const vm_bundle_report *)(const void *)k, &summary), VM_STATUS_INVALID_ARGUMENT);
    vm_bundle_report_free(NULL);
    vm_keyring_free(k);
}

/* Signing keys: NULLs, wrong handles, short buffers; the key file round-trips. */
static void signing(void) {
    vm_secret_key *key = NULL;
    EXPECT(vm_secret_key_from_file((const uint8_t *)"ed25519-seed:00", 15, &key), VM_STATUS_MALFORMED_SECRET_KEY);
    CHECK(key == NULL);
    EXPECT(vm_secret_key_from_seed(NULL, &key), VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_secret_key_generate(NULL), VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_secret_key_generate(&key), VM_STATUS_OK);
    char file[128];
    size_t len = 0;
    EXPECT(vm_secret_key_to_file(key, file, 10, &len), VM_STATUS_BUFFER_TOO_SMALL);
    CHECK(len == 13 + 64 + 1);
    EXPECT(vm_secret_key_to_file(key, file, sizeof file, &len), VM_STATUS_OK);
    vm_secret_key *again = NULL;
    EXPECT(vm_secret_key_from_file((const uint8_t *)file, len, &again), VM_STATUS_OK);
    char a[128], b[128];
    size_t a_len = 0, b_len = 0;
    EXPECT(vm_secret_key_public(key, a, sizeof a, &a_len), VM_STATUS_OK);
    EXPECT(vm_secret_key_public(again, b, sizeof b, &b_len), VM_STATUS_OK);
    CHECK(a_len == b_len && memcmp(a, b, a_len) == 0 && memcmp(a, "ed25519:z6Mk", 12) == 0);
    memset(file, 0, sizeof file);
    /* Another handle type where a key belongs is refused, not a crash. */
    vm_keyring *ring = NULL;
    EXPECT(vm_keyring_new(&ring), VM_STATUS_OK);
    uint8_t out[512];
    const char *vote = "{\"type\":\"gov_vote\"}";
    EXPECT(vm_record_sign((const vm_secret_key *)ring, (const uint8_t *)vote, strlen(vote), NULL, 0, NULL, out,
                          sizeof out, &len),
           VM_STATUS_INVALID_ARGUMENT);
    EXPECT(vm_record_sign(NULL, (const uint8_t *)vote, strlen(vote), NULL, 0, NULL, out, sizeof out, &len),
           VM_STATUS_NULL_ARGUMENT);
    EXPECT(vm_record_sign(key, (const uint8_t *)vote, strlen(vote), NULL, 0, NULL, out, sizeof out, &len),
           VM_STATUS_MISSING_FIELD);
    EXPECT(vm_record_sign(key, (const uint8_t *)vote, strlen(vote), "gov_poll", 8, NULL, out, sizeof out, &len),
           VM_STATUS_UNKNOWN_KIND);
    vm_keyring_free(ring);
    vm_secret_key_free(again);
    vm_secret_key_free(key);
    vm_secret_key_free(NULL);
}

int main(void) {
    status_functions();
    keyrings();
    records();
    encodings();
    trees();
    federation();
    signing();
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
