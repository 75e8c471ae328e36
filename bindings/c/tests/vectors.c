/*
 * Runs every case of every JSON file in test-vectors/ through libvaultmesh and checks that the
 * outcome is exactly the case's `expect` object (docs/SPEC.md section 9): the same verdict, the
 * same error name and code, the same computed values and no other members.
 *
 * It also runs the records of every `verify_record` case a second time through
 * vm_record_verify_batch (grouped by kind) and expects each item's verdict to equal the single
 * verdict.
 *
 * Usage: vectors TEST_VECTORS_DIR. Prints "N passed, N failed" and exits non-zero on a failure.
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "vaultmesh.h"

static int passed;
static int failed;

/* ---------------------------------------------------------------------------------------- */
/* Outcome of one case, in the vectors' `expect` form. */

enum { OUT_TEXT, OUT_INT, OUT_JSON };

typedef struct {
    const char *name;
    int type;
    char *text; /* OUT_TEXT, OUT_JSON: owned */
    size_t text_len;
    uint64_t integer;
} output;

typedef struct {
    vm_status status;
    output outputs[3];
    int count;
} outcome;

static void add_text(outcome *o, const char *name, int type, const char *text, size_t len) {
    output *out = &o->outputs[o->count++];
    out->name = name;
    out->type = type;
    out->text = malloc(len + 1);
    if (out->text == NULL) {
        abort();
    }
    if (len > 0) {
        memcpy(out->text, text, len);
    }
    out->text[len] = '\0';
    out->text_len = len;
}

static void add_digest(outcome *o, const char *name, const vm_digest *d) {
    char text[VM_DIGEST_TEXT_LEN];
    size_t len = 0;
    if (vm_digest_to_text(d, text, sizeof text, &len) != VM_STATUS_OK || len != VM_DIGEST_TEXT_LEN) {
        abort();
    }
    add_text(o, name, OUT_TEXT, text, len);
}

static void add_int(outcome *o, const char *name, uint64_t value) {
    output *out = &o->outputs[o->count++];
    memset(out, 0, sizeof *out);
    out->name = name;
    out->type = OUT_INT;
    out->integer = value;
}

static void outcome_free(outcome *o) {
    for (int i = 0; i < o->count; i++) {
        free(o->outputs[i].text);
    }
}

/* Calls a buffer-producing function twice: size query, then the real call. */
typedef vm_status (*buffer_fn)(const void *ctx, uint8_t *out, size_t cap, size_t *out_len);

static vm_status with_buffer(buffer_fn fn, const void *ctx, outcome *o, const char *name, int type) {
    size_t need = 0;
    vm_status s = fn(ctx, NULL, 0, &need);
    if (s != VM_STATUS_OK && s != VM_STATUS_BUFFER_TOO_SMALL) {
        if (need != 0) {
            fprintf(stderr, "out_len not 0 after a failure\n");
            abort();
        }
        return s;
    }
    uint8_t *buf = malloc(need + 1);
    size_t len = 0;
    if (buf == NULL) {
        abort();
    }
    s = fn(ctx, buf, need, &len);
    if (s == VM_STATUS_OK) {
        if (len != need) {
            fprintf(stderr, "size query said %zu, call wrote %zu\n", need, len);
            abort();
        }
        add_text(o, name, type, (const char *)buf, len);
    }
    free(buf);
    return s;
}

/* ---------------------------------------------------------------------------------------- */
/* Inputs of a case. */

typedef struct {
    const uint8_t *data;
    size_t len;
    uint8_t *owned;
} bytes;

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* `input` (text) or `input_hex`. */
static bytes case_input(const json_value *c) {
    bytes b = {(const uint8_t *)"", 0, NULL};
    const json_value *text = json_get_string(c, "input");
    const json_value *hex = json_get_string(c, "input_hex");
    if (text != NULL) {
        b.data = (const uint8_t *)text->string;
        b.len = text->string_len;
    } else if (hex != NULL) {
        b.owned = malloc(hex->string_len / 2 + 1);
        if (b.owned == NULL) {
            abort();
        }
        for (size_t i = 0; i + 1 < hex->string_len; i += 2) {
            b.owned[i / 2] = (uint8_t)(hexval(hex->string[i]) * 16 + hexval(hex->string[i + 1]));
        }
        b.data = b.owned;
        b.len = hex->string_len / 2;
    }
    return b;
}

static vm_limits case_limits(const json_value *c) {
    vm_limits l = {0, 0}; /* zero: the defaults */
    const json_value *max_bytes = json_get(c, "max_bytes");
    const json_value *max_depth = json_get(c, "max_depth");
    if (max_bytes != NULL) l.max_bytes = (size_t)max_bytes->number;
    if (max_depth != NULL) l.max_depth = (size_t)max_depth->number;
    return l;
}

static uint64_t case_u64(const json_value *c, const char *name) {
    const json_value *v = json_get(c, name);
    if (v == NULL || v->kind != JSON_NUMBER) {
        fprintf(stderr, "case without integer %s\n", name);
        abort();
    }
    return (uint64_t)v->number;
}

/* The records of a `records` array as pointer/length arrays. */
typedef struct {
    const uint8_t **ptrs;
    size_t *lens;
    size_t count;
} record_list;

static record_list case_records(const json_value *c) {
    record_list l = {NULL, NULL, 0};
    const json_value *records = json_get(c, "records");
    if (records == NULL || records->kind != JSON_ARRAY) {
        abort();
    }
    l.count = records->count;
    l.ptrs = calloc(l.count + 1, sizeof *l.ptrs);
    l.lens = calloc(l.count + 1, sizeof *l.lens);
    if (l.ptrs == NULL || l.lens == NULL) {
        abort();
    }
    for (size_t i = 0; i < l.count; i++) {
        l.ptrs[i] = (const uint8_t *)records->items[i].string;
        l.lens[i] = records->items[i].string_len;
    }
    return l;
}

static void records_free(record_list *l) {
    free(l->ptrs);
    free(l->lens);
}

/* A scroll tree of the case's records; returns the first append error. */
static vm_status tree_of(const json_value *c, vm_scroll_tree **out) {
    record_list l = case_records(c);
    vm_status s = vm_scroll_tree_new(out);
    for (size_t i = 0; s == VM_STATUS_OK && i < l.count; i++) {
        s = vm_scroll_tree_append(*out, l.ptrs[i], l.lens[i]);
    }
    records_free(&l);
    return s;
}

/* ---------------------------------------------------------------------------------------- */
/* Buffer-producing calls, adapted to buffer_fn. */

typedef struct {
    const uint8_t *in;
    size_t len;
    const vm_limits *limits;
    const vm_scroll_tree *tree;
    uint64_t number;
} call_ctx;

static vm_status call_canonicalize(const void *p, uint8_t *out, size_t cap, size_t *len) {
    const call_ctx *c = p;
    return vm_json_canonicalize(c->in, c->len, c->limits, out, cap, len);
}
static vm_status call_public_key(const void *p, uint8_t *out, size_t cap, size_t *len) {
    const call_ctx *c = p;
    return vm_public_key_normalize((const char *)c->in, c->len, (char *)out, cap, len);
}
static vm_status call_signature(const void *p, uint8_t *out, size_t cap, size_t *len) {
    const call_ctx *c = p;
    return vm_signature_normalize((const char *)c->in, c->len, (char *)out, cap, len);
}
static vm_status call_timestamp(const void *p, uint8_t *out, size_t cap, size_t *len) {
    const call_ctx *c = p;
    return vm_timestamp_normalize((const char *)c->in, c->len, (char *)out, cap, len);
}
static vm_status call_key_public(const void *p, uint8_t *out, size_t cap, size_t *len) {
    return vm_secret_key_public((const vm_secret_key *)p, (char *)out, cap, len);
}

/* vm_record_sign's arguments. */
typedef struct {
    const vm_secret_key *key;
    const uint8_t *in;
    size_t len;
    const json_value *kind;
    const vm_limits *limits;
} sign_ctx;

static vm_status call_sign(const void *p, uint8_t *out, size_t cap, size_t *len) {
    const sign_ctx *c = p;
    return vm_record_sign(c->key, c->in, c->len, c->kind ? c->kind->string : NULL, c->kind ? c->kind->string_len : 0,
                          c->limits, out, cap, len);
}
static vm_status call_prove_inclusion(const void *p, uint8_t *out, size_t cap, size_t *len) {
    const call_ctx *c = p;
    return vm_scroll_tree_prove_inclusion(c->tree, c->number, out, cap, len);
}
static vm_status call_prove_consistency(const void *p, uint8_t *out, size_t cap, size_t *len) {
    const call_ctx *c = p;
    return vm_scroll_tree_prove_consistency(c->tree, c->number, out, cap, len);
}

/* ---------------------------------------------------------------------------------------- */
/* One case. */

static vm_status run_case(const json_value *c, const vm_keyring *keyring, const vm_secret_key *signer, outcome *o) {
    const char *op = json_get_string(c, "op")->string;
    bytes in = case_input(c);
    vm_limits limits = case_limits(c);
    call_ctx ctx = {in.data, in.len, &limits, NULL, 0};
    vm_verdict v;
    vm_status s;

    if (strcmp(op, "canonicalize") == 0) {
        s = with_buffer(call_canonicalize, &ctx, o, "canonical", OUT_TEXT);
    } else if (strcmp(op, "receipt_hash") == 0) {
        vm_digest d;
        s = vm_record_receipt_hash(in.data, in.len, &limits, &d);
        if (s == VM_STATUS_OK) add_digest(o, "receipt_hash", &d);
    } else if (strcmp(op, "digest") == 0) {
        vm_digest d;
        s = vm_digest_parse((const char *)in.data, in.len, &d);
        if (s == VM_STATUS_OK) add_digest(o, "digest", &d);
    } else if (strcmp(op, "public_key") == 0) {
        s = with_buffer(call_public_key, &ctx, o, "public_key", OUT_TEXT);
    } else if (strcmp(op, "signature") == 0) {
        s = with_buffer(call_signature, &ctx, o, "signature", OUT_TEXT);
    } else if (strcmp(op, "timestamp") == 0) {
        s = with_buffer(call_timestamp, &ctx, o, "timestamp", OUT_TEXT);
    } else if (strcmp(op, "actor_id") == 0) {
        s = vm_actor_id_check((const char *)in.data, in.len);
    } else if (strcmp(op, "engine_id") == 0) {
        s = vm_engine_id_check((const char *)in.data, in.len);
    } else if (strcmp(op, "secret_key") == 0) {
        vm_secret_key *key = NULL;
        s = vm_secret_key_from_file(in.data, in.len, &key);
        if (s == VM_STATUS_OK) s = with_buffer(call_key_public, key, o, "public_key", OUT_TEXT);
        vm_secret_key_free(key);
    } else if (strcmp(op, "sign_record") == 0) {
        if (signer == NULL) abort();
        sign_ctx sc = {signer, in.data, in.len, json_get_string(c, "kind"), &limits};
        s = with_buffer(call_sign, &sc, o, "signed", OUT_TEXT);
    } else if (strcmp(op, "verify_record") == 0) {
        const json_value *kind = json_get_string(c, "kind");
        s = vm_record_verify(keyring, in.data, in.len, kind ? kind->string : NULL, kind ? kind->string_len : 0,
                             &limits, &v);
        if (s != v.status) abort();
        if (s == VM_STATUS_OK) add_digest(o, "receipt_hash", &v.hash);
    } else if (strcmp(op, "verify_agreement") == 0) {
        vm_agreement *a = NULL;
        s = vm_agreement_verify(keyring, in.data, in.len, NULL, &v, &a);
        if (s == VM_STATUS_OK) {
            vm_digest h;
            uint64_t level = 99;
            if (vm_agreement_hash(a, &h) != VM_STATUS_OK || memcmp(&h, &v.hash, sizeof h) != 0) abort();
            if (vm_agreement_trust_level(a, &level) != VM_STATUS_OK) abort();
            add_digest(o, "agreement_hash", &h);
            add_int(o, "trust_level", level);
        } else if (a != NULL) {
            abort();
        }
        vm_agreement_free(a);
    } else if (strcmp(op, "verify_checkpoint") == 0) {
        s = vm_checkpoint_verify(keyring, in.data, in.len, NULL, &v, NULL);
        if (s == VM_STATUS_OK) add_digest(o, "receipt_hash", &v.hash);
    } else if (strcmp(op, "verify_witness") == 0) {
        const json_value *cp_text = json_get_string(c, "checkpoint");
        vm_checkpoint *cp = NULL;
        s = VM_STATUS_OK;
        if (cp_text != NULL) {
            s = vm_checkpoint_verify(keyring, (const uint8_t *)cp_text->string, cp_text->string_len, NULL, NULL, &cp);
        }
        if (s == VM_STATUS_OK) {
            s = vm_witness_verify(keyring, in.data, in.len, NULL, cp, &v);
            if (s == VM_STATUS_OK) add_digest(o, "receipt_hash", &v.hash);
        }
        vm_checkpoint_free(cp);
    } else if (strcmp(op, "verify_cross_anchor") == 0) {
        const json_value *a_text = json_get_string(c, "agreement");
        vm_agreement *a = NULL;
        s = VM_STATUS_OK;
        if (a_text != NULL) {
            s = vm_agreement_verify(keyring, (const uint8_t *)a_text->string, a_text->string_len, NULL, NULL, &a);
        }
        if (s == VM_STATUS_OK) {
            s = vm_cross_anchor_verify(keyring, in.data, in.len, NULL, a, &v);
            if (s == VM_STATUS_OK) add_digest(o, "receipt_hash", &v.hash);
        }
        vm_agreement_free(a);
    } else if (strcmp(op, "merkle_root") == 0) {
        record_list l = case_records(c);
        vm_digest root;
        size_t failed_index = (size_t)-1;
        s = vm_merkle_root(l.ptrs, l.lens, l.count, &root, &failed_index);
        if (s == VM_STATUS_OK) add_digest(o, "root", &root);
        if (s != VM_STATUS_OK && failed_index >= l.count) abort();
        records_free(&l);
    } else if (strcmp(op, "jsonl_root") == 0) {
        vm_digest root;
        uint64_t size = 0;
        size_t line = 99;
        s = vm_merkle_root_jsonl(in.data, in.len, &root, &size, &line);
        if (s == VM_STATUS_OK) {
            if (line != 0) abort();
            add_digest(o, "root", &root);
            add_int(o, "tree_size", size);
            /* The scroll tree builder reads the same file to the same root. */
            vm_scroll_tree *tree = NULL;
            vm_digest again;
            if (vm_scroll_tree_new(&tree) != VM_STATUS_OK ||
                vm_scroll_tree_append_jsonl(tree, in.data, in.len, NULL) != VM_STATUS_OK ||
                vm_scroll_tree_root(tree, &again) != VM_STATUS_OK || memcmp(&root, &again, sizeof root) != 0) {
                abort();
            }
            vm_scroll_tree_free(tree);
        } else if (line == 0) {
            abort();
        }
    } else if (strcmp(op, "prove_inclusion") == 0 || strcmp(op, "prove_consistency") == 0) {
        vm_scroll_tree *tree = NULL;
        int inclusion = strcmp(op, "prove_inclusion") == 0;
        s = tree_of(c, &tree);
        if (s == VM_STATUS_OK) {
            ctx.tree = tree;
            ctx.number = case_u64(c, inclusion ? "index" : "old_size");
            s = with_buffer(inclusion ? call_prove_inclusion : call_prove_consistency, &ctx, o, "proof", OUT_JSON);
        }
        vm_scroll_tree_free(tree);
    } else if (strcmp(op, "verify_inclusion") == 0) {
        const json_value *proof = json_get(c, "proof");
        const json_value *root_text = json_get_string(c, "root");
        const json_value *record = json_get_string(c, "record");
        vm_digest root;
        s = vm_digest_parse(root_text->string, root_text->string_len, &root);
        if (s == VM_STATUS_OK) {
            s = vm_merkle_verify_inclusion(&root, case_u64(c, "tree_size"), (const uint8_t *)record->string,
                                           record->string_len, (const uint8_t *)proof->raw, proof->raw_len);
        }
    } else if (strcmp(op, "verify_consistency") == 0) {
        const json_value *proof = json_get(c, "proof");
        const json_value *old_text = json_get_string(c, "old_root");
        const json_value *new_text = json_get_string(c, "new_root");
        vm_digest old_root, new_root;
        s = vm_digest_parse(old_text->string, old_text->string_len, &old_root);
        if (s == VM_STATUS_OK) s = vm_digest_parse(new_text->string, new_text->string_len, &new_root);
        if (s == VM_STATUS_OK) {
            s = vm_merkle_verify_consistency(&old_root, &new_root, (const uint8_t *)proof->raw, proof->raw_len);
        }
    } else {
        fprintf(stderr, "unknown op %s\n", op);
        abort();
    }
    free(in.owned);
    o->status = s;
    return s;
}

/* ---------------------------------------------------------------------------------------- */
/* Comparing with `expect`. */

/* Canonical bytes of a JSON value from the file, through the library. */
static char *canonical_of(const json_value *v, size_t *len) {
    size_t need = 0;
    vm_json_canonicalize((const uint8_t *)v->raw, v->raw_len, NULL, NULL, 0, &need);
    char *buf = malloc(need + 1);
    if (buf == NULL || vm_json_canonicalize((const uint8_t *)v->raw, v->raw_len, NULL, (uint8_t *)buf, need, len) !=
                           VM_STATUS_OK) {
        abort();
    }
    return buf;
}

/* NULL when the outcome is exactly `expect`, else why not. */
static const char *compare(const outcome *o, const json_value *expect, char *why, size_t why_len) {
    const json_value *valid = json_get(expect, "valid");
    if (valid == NULL || valid->kind != JSON_BOOL) {
        return "expect without valid";
    }
    if (valid->boolean != (o->status == VM_STATUS_OK)) {
        snprintf(why, why_len, "expected valid=%d, got %s (%u)", valid->boolean, vm_status_name(o->status),
                 (unsigned)o->status);
        return why;
    }
    if (o->status != VM_STATUS_OK) {
        const json_value *error = json_get_string(expect, "error");
        const json_value *code = json_get(expect, "code");
        if (expect->count != 3 || error == NULL || code == NULL || code->kind != JSON_NUMBER) {
            return "expect of an invalid case is not {valid, error, code}";
        }
        if (strcmp(error->string, vm_status_name(o->status)) != 0 || (uint32_t)code->number != (uint32_t)o->status) {
            snprintf(why, why_len, "expected %s (%u), got %s (%u)", error->string, (unsigned)code->number,
                     vm_status_name(o->status), (unsigned)o->status);
            return why;
        }
        return NULL;
    }
    if (expect->count != (size_t)o->count + 1) {
        snprintf(why, why_len, "expect has %zu members, outcome %d", expect->count, o->count + 1);
        return why;
    }
    for (int i = 0; i < o->count; i++) {
        const output *out = &o->outputs[i];
        const json_value *want = json_get(expect, out->name);
        int same = 0;
        if (want == NULL) {
            snprintf(why, why_len, "expect lacks %s", out->name);
            return why;
        }
        if (out->type == OUT_TEXT) {
            same = want->kind == JSON_STRING && want->string_len == out->text_len &&
                   memcmp(want->string, out->text, out->text_len) == 0;
        } else if (out->type == OUT_INT) {
            same = want->kind == JSON_NUMBER && (uint64_t)want->number == out->integer;
        } else {
            size_t len = 0;
            char *canonical = canonical_of(want, &len);
            same = len == out->text_len && memcmp(canonical, out->text, len) == 0;
            free(canonical);
        }
        if (!same) {
            snprintf(why, why_len, "%s differs: got %.*s", out->name, (int)(out->text_len < 200 ? out->text_len : 200),
                     out->text ? out->text : "(integer)");
            return why;
        }
    }
    return NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* Batch cross-check: every verify_record case of a file again, batched by kind. */

static void batch_check(const char *file, const json_value *cases, const vm_keyring *keyring) {
    /* Kinds in this file: NULL (none) and each distinct name. */
    const char *kinds[32];
    size_t kind_lens[32];
    int nkinds = 0;
    int have_none = 0;
    for (size_t i = 0; i < cases->count; i++) {
        const json_value *c = &cases->items[i];
        if (strcmp(json_get_string(c, "op")->string, "verify_record") != 0) continue;
        const json_value *k = json_get_string(c, "kind");
        if (k == NULL) {
            have_none = 1;
            continue;
        }
        int seen = 0;
        for (int j = 0; j < nkinds; j++) {
            seen |= kind_lens[j] == k->string_len && memcmp(kinds[j], k->string, k->string_len) == 0;
        }
        if (!seen && nkinds < 32) {
            kinds[nkinds] = k->string;
            kind_lens[nkinds++] = k->string_len;
        }
    }
    for (int g = have_none ? -1 : 0; g < nkinds; g++) {
        const char *kind = g < 0 ? NULL : kinds[g];
        size_t kind_len = g < 0 ? 0 : kind_lens[g];
        const uint8_t **ptrs = calloc(cases->count + 1, sizeof *ptrs);
        size_t *lens = calloc(cases->count + 1, sizeof *lens);
        const json_value **which = calloc(cases->count + 1, sizeof *which);
        vm_verdict *verdicts = calloc(cases->count + 1, sizeof *verdicts);
        size_t n = 0;
        if (ptrs == NULL || lens == NULL || which == NULL || verdicts == NULL) abort();
        for (size_t i = 0; i < cases->count; i++) {
            const json_value *c = &cases->items[i];
            if (strcmp(json_get_string(c, "op")->string, "verify_record") != 0) continue;
            const json_value *k = json_get_string(c, "kind");
            if ((k == NULL) != (kind == NULL)) continue;
            if (k != NULL && (k->string_len != kind_len || memcmp(k->string, kind, kind_len) != 0)) continue;
            const json_value *in = json_get_string(c, "input");
            if (in == NULL || json_get(c, "max_bytes") != NULL || json_get(c, "keyring") != NULL) continue;
            ptrs[n] = (const uint8_t *)in->string;
            lens[n] = in->string_len;
            which[n++] = c;
        }
        uint8_t seed[32] = {7};
        vm_status s = vm_record_verify_batch(keyring, ptrs, lens, n, kind, kind_len, NULL, (g & 1) ? seed : NULL,
                                             verdicts);
        if (s != VM_STATUS_OK) {
            printf("FAIL %s: batch of %zu (kind %.*s): %s\n", file, n, (int)kind_len, kind ? kind : "-",
                   vm_status_name(s));
            failed++;
        }
        for (size_t i = 0; s == VM_STATUS_OK && i < n; i++) {
            vm_verdict single;
            vm_record_verify(keyring, ptrs[i], lens[i], kind, kind_len, NULL, &single);
            int same = single.status == verdicts[i].status &&
                       memcmp(&single.hash, &verdicts[i].hash, sizeof single.hash) == 0 &&
                       single.field_len == verdicts[i].field_len &&
                       (single.field_len == 0 || memcmp(single.field, verdicts[i].field, single.field_len) == 0);
            if (same) {
                passed++;
            } else {
                printf("FAIL %s: batch verdict of %s: %s, single %s\n", file, json_get_string(which[i], "name")->string,
                       vm_status_name(verdicts[i].status), vm_status_name(single.status));
                failed++;
            }
        }
        free(ptrs);
        free(lens);
        free(which);
        free(verdicts);
    }
}

/* ---------------------------------------------------------------------------------------- */

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (buf == NULL) abort();
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
        cap *= 2;
        buf = realloc(buf, cap);
    }
    fclose(f);
    *len = n;
    return buf;
}

static vm_keyring *keyring_of(const json_value *keys) {
    vm_keyring *k = NULL;
    vm_status s = keys != NULL ? vm_keyring_from_json((const uint8_t *)keys->raw, keys->raw_len, &k)
                               : vm_keyring_new(&k);
    if (s != VM_STATUS_OK) {
        fprintf(stderr, "keyring: %s\n", vm_status_name(s));
        abort();
    }
    return k;
}

static void run_file(const char *dir, const char *name) {
    char path[4096];
    size_t len = 0;
    json_value file;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = read_file(path, &len);
    if (text == NULL || json_parse(text, len, &file) != 0) {
        printf("FAIL %s: cannot read\n", path);
        failed++;
        free(text);
        return;
    }
    vm_keyring *keyring = keyring_of(json_get(&file, "keyring"));
    /* The signer of signing.json (docs/SPEC.md 3.2), from the file's key file. */
    const json_value *key_file = json_get_string(&file, "key_file");
    vm_secret_key *signer = NULL;
    if (key_file != NULL &&
        vm_secret_key_from_file((const uint8_t *)key_file->string, key_file->string_len, &signer) != VM_STATUS_OK) {
        abort();
    }
    const json_value *cases = json_get(&file, "cases");
    int before = failed;
    for (size_t i = 0; cases != NULL && i < cases->count; i++) {
        const json_value *c = &cases->items[i];
        const json_value *own_keys = json_get(c, "keyring");
        vm_keyring *ring = (own_keys != NULL && own_keys->kind == JSON_OBJECT) ? keyring_of(own_keys) : keyring;
        outcome o;
        char why[512];
        memset(&o, 0, sizeof o);
        run_case(c, ring, signer, &o);
        const char *problem = compare(&o, json_get(c, "expect"), why, sizeof why);
        if (problem == NULL) {
            passed++;
        } else {
            printf("FAIL %s: %s: %s\n", name, json_get_string(c, "name")->string, problem);
            failed++;
        }
        outcome_free(&o);
        if (ring != keyring) vm_keyring_free(ring);
    }
    if (cases != NULL) batch_check(name, cases, keyring);
    printf("%-28s %3zu cases%s\n", name, cases ? cases->count : 0, failed == before ? "" : "  (failures above)");
    vm_keyring_free(keyring);
    vm_secret_key_free(signer);
    json_free(&file);
    free(text);
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---------------------------------------------------------------------------------------- */
/* Governance chains: test-vectors/governance/{valid,invalid}-*.json, each a chain file whose
 * `expect` is the report (and, for some, the answers to queries over it). */

/* Canonical bytes of the raw JSON value `raw` (any JSON value), through the library. */
static char *canonical_value(const char *raw, size_t raw_len, size_t *len) {
    size_t wrapped_len = raw_len + 6;
    char *wrapped = malloc(wrapped_len);
    if (wrapped == NULL) abort();
    memcpy(wrapped, "{\"v\":", 5);
    memcpy(wrapped + 5, raw, raw_len);
    wrapped[wrapped_len - 1] = '}';
    json_value tmp;
    tmp.raw = wrapped;
    tmp.raw_len = wrapped_len;
    char *out = canonical_of(&tmp, len);
    free(wrapped);
    return out;
}

static int same_json(const char *a, size_t a_len, const char *b, size_t b_len) {
    size_t x_len = 0, y_len = 0;
    char *x = canonical_value(a, a_len, &x_len);
    char *y = canonical_value(b, b_len, &y_len);
    int same = x_len == y_len && memcmp(x, y, x_len) == 0;
    free(x);
    free(y);
    return same;
}

typedef struct {
    const vm_governance_chain *chain;
    const json_value *query;
} query_ctx;

static vm_status call_query(const void *p, uint8_t *out, size_t cap, size_t *len) {
    const query_ctx *q = p;
    const char *op = json_get_string(q->query, "op")->string;
    const json_value *at = json_get_string(q->query, "at");
    if (strcmp(op, "emergency_powers_at") == 0) {
        return vm_governance_chain_emergency_powers_at(q->chain, at->string, at->string_len, out, cap, len);
    }
    if (strcmp(op, "suspended_capabilities") == 0) {
        const json_value *actor = json_get_string(q->query, "actor");
        return vm_governance_chain_suspended_capabilities(q->chain, actor->string, actor->string_len, at->string,
                                                          at->string_len, out, cap, len);
    }
    fprintf(stderr, "unknown query %s\n", op);
    abort();
}

static vm_status call_report(const void *p, uint8_t *out, size_t cap, size_t *len) {
    return vm_governance_chain_report_json(p, out, cap, len);
}

/* NULL when the chain's report and query answers are exactly `expect`, else why not. */
static const char *compare_chain(const vm_governance_chain *chain, const vm_chain_report *summary,
                                 const json_value *file, const json_value *expect, char *why, size_t why_len) {
    outcome o;
    memset(&o, 0, sizeof o);
    if (with_buffer(call_report, chain, &o, "report", OUT_JSON) != VM_STATUS_OK) return "report_json failed";
    json_value report;
    if (json_parse(o.outputs[0].text, o.outputs[0].text_len, &report) != 0) abort();
    const char *problem = NULL;
    size_t members = 0;
    for (size_t i = 0; problem == NULL && i < expect->count; i++) {
        const char *name = expect->names[i];
        const json_value *want = &expect->items[i];
        if (strcmp(name, "queries") == 0) {
            for (size_t j = 0; problem == NULL && j < want->count; j++) {
                query_ctx q = {chain, &want->items[j]};
                outcome a;
                memset(&a, 0, sizeof a);
                vm_status s = with_buffer(call_query, &q, &a, "answer", OUT_JSON);
                const json_value *answer = json_get(&want->items[j], "expect");
                if (s != VM_STATUS_OK || answer == NULL ||
                    !same_json(answer->raw, answer->raw_len, a.outputs[0].text, a.outputs[0].text_len)) {
                    snprintf(why, why_len, "query %zu differs", j);
                    problem = why;
                }
                outcome_free(&a);
            }
            continue;
        }
        members++;
        const json_value *got = json_get(&report, name);
        if (got == NULL || !same_json(want->raw, want->raw_len, got->raw, got->raw_len)) {
            snprintf(why, why_len, "%s differs: report %.*s", name, (int)o.outputs[0].text_len, o.outputs[0].text);
            problem = why;
        }
    }
    if (problem == NULL && members != report.count) {
        snprintf(why, why_len, "report has %zu members, expect %zu", report.count, members);
        problem = why;
    }
    /* The summary struct agrees with the report. */
    const json_value *receipts = json_get(file, "receipts");
    const json_value *index = json_get(expect, "index");
    if (problem == NULL && (receipts == NULL || summary->receipts != receipts->count)) problem = "summary.receipts";
    if (problem == NULL && index != NULL &&
        summary->violation_index != (index->kind == JSON_NULL ? -1 : (int64_t)index->number)) {
        problem = "summary.violation_index";
    }
    if (problem == NULL && summary->status == VM_STATUS_OK && summary->verified != summary->receipts) {
        problem = "summary.verified";
    }
    json_free(&report);
    outcome_free(&o);
    return problem;
}

/* ---------------------------------------------------------------------------------------- */
/* Audit bundles: test-vectors/bundles/example.json is valid throughout; tampered.json has
 * exactly the item verdicts, checks and errors that tampered.expect.json lists (every other
 * item valid) and its number of unproven growth steps. */

static vm_status call_bundle_report(const void *p, uint8_t *out, size_t cap, size_t *len) {
    return vm_bundle_report_json(p, out, cap, len);
}

/* Every item object of a report's sections. */
static size_t bundle_items(const json_value *sections, const json_value **items, size_t max) {
    static const char *lists[] = {"keys", "discovery", "agreements", "cross_anchors", "governance"};
    static const char *per_scroll[] = {"checkpoints", "consistency", "receipts", "witnesses"};
    size_t n = 0;
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++) {
        const json_value *list = json_get(sections, lists[i]);
        for (size_t j = 0; list != NULL && j < list->count && n < max; j++) items[n++] = &list->items[j];
    }
    const json_value *scrolls = json_get(sections, "scrolls");
    for (size_t s = 0; scrolls != NULL && s < scrolls->count; s++) {
        for (size_t i = 0; i < sizeof per_scroll / sizeof *per_scroll; i++) {
            const json_value *list = json_get(&scrolls->items[s], per_scroll[i]);
            for (size_t j = 0; list != NULL && j < list->count && n < max; j++) items[n++] = &list->items[j];
        }
    }
    return n;
}

/* NULL when item matches the expectation (a listed one, or valid when `want` is NULL). */
static const char *bundle_item_problem(const json_value *item, const json_value *want) {
    const json_value *verdict = json_get_string(item, "verdict");
    if (verdict == NULL) return "item without verdict";
    if (want == NULL) return strcmp(verdict->string, "valid") == 0 ? NULL : "unlisted item not valid";
    const json_value *want_verdict = json_get_string(want, "verdict");
    const json_value *want_check = json_get_string(want, "check");
    const json_value *want_error = json_get_string(want, "error");
    if (strcmp(verdict->string, want_verdict->string) != 0) return "verdict differs";
    const json_value *check = NULL;
    const json_value *error = NULL;
    if (strcmp(verdict->string, "invalid") == 0) {
        check = json_get_string(item, "failed_check");
        error = json_get_string(item, "error");
    } else {
        const json_value *checks = json_get(item, "checks");
        for (size_t i = 0; checks != NULL && i < checks->count && check == NULL; i++) {
            const json_value *v = json_get_string(&checks->items[i], "verdict");
            if (v != NULL && strcmp(v->string, "not_checked") == 0) check = json_get_string(&checks->items[i], "check");
        }
    }
    if (check == NULL || strcmp(check->string, want_check->string) != 0) return "check differs";
    if ((want_error == NULL) != (error == NULL)) return "error presence differs";
    if (want_error != NULL && strcmp(want_error->string, error->string) != 0) return "error differs";
    return NULL;
}

static void run_bundle(const char *dir, const char *name, const json_value *expect) {
    char path[8192];
    size_t len = 0;
    snprintf(path, sizeof path, "%s/bundles/%s", dir, name);
    char *text = read_file(path, &len);
    if (text == NULL) {
        printf("FAIL bundles/%s: cannot read\n", name);
        failed++;
        return;
    }
    vm_keyring *pinned = NULL;
    vm_bundle_summary summary;
    vm_bundle_report *report = NULL;
    vm_keyring_new(&pinned);
    vm_status s = vm_bundle_verify(pinned, (const uint8_t *)text, len, NULL, &summary, &report);
    outcome o;
    json_value doc;
    memset(&o, 0, sizeof o);
    memset(&doc, 0, sizeof doc);
    const char *problem = NULL;
    if (s != VM_STATUS_OK || report == NULL) {
        problem = "not verified";
    } else if (with_buffer(call_bundle_report, report, &o, "report", OUT_JSON) != VM_STATUS_OK ||
               json_parse(o.outputs[0].text, o.outputs[0].text_len, &doc) != 0) {
        problem = "no report";
    } else {
        const json_value *items[1024];
        size_t n = bundle_items(json_get(&doc, "sections"), items, 1024);
        const json_value *listed = expect ? json_get(expect, "items") : NULL;
        size_t matched = 0, bad = 0;
        for (size_t i = 0; i < n && problem == NULL; i++) {
            const json_value *item_path = json_get_string(items[i], "path");
            const json_value *want = listed && item_path ? json_get(listed, item_path->string) : NULL;
            matched += want != NULL;
            bad += want != NULL && strcmp(json_get_string(want, "verdict")->string, "valid") != 0;
            problem = bundle_item_problem(items[i], want);
            if (problem != NULL) printf("  item %s\n", item_path ? item_path->string : "?");
        }
        const json_value *verdict = json_get_string(&doc, "verdict");
        const char *want_verdict = expect ? json_get_string(expect, "verdict")->string : "valid";
        uint64_t want_unproven = expect ? (uint64_t)json_get(expect, "unproven_growth")->number : 0;
        if (problem == NULL && listed != NULL && matched != listed->count) problem = "a listed item is missing";
        if (problem == NULL && (verdict == NULL || strcmp(verdict->string, want_verdict) != 0)) problem = "verdict";
        if (problem == NULL && summary.unproven_growth != want_unproven) problem = "unproven_growth";
        if (problem == NULL && (summary.items != n || summary.valid + bad != n)) problem = "summary counts";
        int summary_verdict_ok = (summary.verdict == VM_BUNDLE_VERDICT_VALID) == (strcmp(want_verdict, "valid") == 0);
        if (problem == NULL && !summary_verdict_ok) problem = "summary verdict";
        if (problem == NULL && expect == NULL && n < 30) problem = "too few items";
    }
    if (problem == NULL) {
        passed++;
    } else {
        printf("FAIL bundles/%s: %s\n", name, problem);
        failed++;
    }
    printf("%-28s %3llu items, verdict %u\n", name, (unsigned long long)summary.items, (unsigned)summary.verdict);
    json_free(&doc);
    outcome_free(&o);
    vm_bundle_report_free(report);
    vm_keyring_free(pinned);
    free(text);
}

static void run_bundles(const char *dir) {
    char path[8192];
    size_t len = 0;
    json_value expect;
    snprintf(path, sizeof path, "%s/bundles/tampered.expect.json", dir);
    char *text = read_file(path, &len);
    if (text == NULL || json_parse(text, len, &expect) != 0) {
        printf("%-28s no bundle vectors\n", "bundles/");
        free(text);
        return;
    }
    run_bundle(dir, "example.json", NULL);
    run_bundle(dir, "tampered.json", &expect);
    json_free(&expect);
    free(text);
}

static void run_governance(const char *dir) {
    char sub[4096];
    snprintf(sub, sizeof sub, "%s/governance", dir);
    DIR *d = opendir(sub);
    if (d == NULL) {
        printf("%-28s no governance vectors\n", "governance/");
        return;
    }
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 256) {
        size_t len = strlen(e->d_name);
        int chain = strncmp(e->d_name, "valid-", 6) == 0 || strncmp(e->d_name, "invalid-", 8) == 0;
        if (chain && len > 5 && strcmp(e->d_name + len - 5, ".json") == 0) {
            names[n] = malloc(len + 1);
            if (names[n] == NULL) abort();
            memcpy(names[n++], e->d_name, len + 1);
        }
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    int before = failed;
    for (size_t i = 0; i < n; i++) {
        char path[8192];
        size_t len = 0;
        json_value file;
        snprintf(path, sizeof path, "%s/%s", sub, names[i]);
        char *text = read_file(path, &len);
        if (text == NULL || json_parse(text, len, &file) != 0) {
            printf("FAIL %s: cannot read\n", path);
            failed++;
            free(text);
            free(names[i]);
            continue;
        }
        vm_limits limits = {(size_t)16 << 20, 0};
        vm_chain_report summary;
        vm_governance_chain *chain = NULL;
        vm_status s = vm_governance_chain_verify((const uint8_t *)text, len, &limits, &summary, &chain);
        char why[1024];
        const char *problem = NULL;
        if (chain == NULL || s != summary.status) {
            problem = "no chain handle";
        } else {
            problem = compare_chain(chain, &summary, &file, json_get(&file, "expect"), why, sizeof why);
        }
        if (problem == NULL) {
            passed++;
        } else {
            printf("FAIL governance/%s: %s\n", names[i], problem);
            failed++;
        }
        vm_governance_chain_free(chain);
        json_free(&file);
        free(text);
        free(names[i]);
    }
    printf("%-28s %3zu chains%s\n", "governance/", n, failed == before ? "" : "  (failures above)");
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s TEST_VECTORS_DIR\n", argv[0]);
        return 2;
    }
    DIR *d = opendir(argv[1]);
    if (d == NULL) {
        perror(argv[1]);
        return 2;
    }
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 256) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0) {
            names[n] = malloc(len + 1);
            if (names[n] == NULL) abort();
            memcpy(names[n++], e->d_name, len + 1);
        }
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    printf("libvaultmesh %s (header %s)\n", vm_version(), VM_VERSION_STRING);
    for (size_t i = 0; i < n; i++) {
        run_file(argv[1], names[i]);
        free(names[i]);
    }
    if (n == 0) {
        printf("FAIL: no vector files in %s\n", argv[1]);
        failed++;
    }
    run_governance(argv[1]);
    run_bundles(argv[1]);
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}
