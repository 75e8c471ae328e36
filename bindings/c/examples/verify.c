/*
 * verify: check one signed VaultMesh record with libvaultmesh. Copy it as a starting point.
 *
 *   cc verify.c $(pkg-config --cflags --libs vaultmesh) -o verify
 *   ./verify KEYRING.json RECORD.json [KIND]
 *
 * KEYRING.json is {"did:vm:mesh:dublin": "ed25519:z6Mk...", ...}; KIND is needed for untyped
 * records (discovery, proposal, response). Exit status: 0 valid, 1 invalid, 2 unusable input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vaultmesh.h>

/* Reads a whole file; returns NULL on error. */
static uint8_t *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t cap = 0;
    *len = 0;
    if (f == NULL) {
        return NULL;
    }
    for (;;) {
        if (*len == cap) {
            cap = cap ? cap * 2 : 4096;
            uint8_t *grown = realloc(buf, cap);
            if (grown == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = grown;
        }
        size_t n = fread(buf + *len, 1, cap - *len, f);
        *len += n;
        if (n == 0) {
            break;
        }
    }
    fclose(f);
    return buf;
}

/* Prints "NAME (code): message" for a status. */
static void print_status(const char *what, vm_status status) {
    char message[128];
    size_t len = 0;
    if (vm_status_message(status, message, sizeof message, &len) != VM_STATUS_OK) {
        len = 0;
    }
    fprintf(stderr, "%s: %s (%u): %.*s\n", what, vm_status_name(status), (unsigned)status, (int)len, message);
}

int main(int argc, char **argv) {
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s KEYRING.json RECORD.json [KIND]\n", argv[0]);
        return 2;
    }
    size_t keys_len = 0, record_len = 0;
    uint8_t *keys = slurp(argv[1], &keys_len);
    uint8_t *record = slurp(argv[2], &record_len);
    if (keys == NULL || record == NULL) {
        fprintf(stderr, "cannot read %s\n", keys == NULL ? argv[1] : argv[2]);
        free(keys);
        free(record);
        return 2;
    }

    /* Build the keyring once; reuse it for every record you verify. */
    vm_keyring *keyring = NULL;
    vm_status status = vm_keyring_from_json(keys, keys_len, &keyring);
    free(keys);
    if (status != VM_STATUS_OK) {
        print_status("keyring", status);
        free(record);
        return 2;
    }

    const char *kind = argc == 4 ? argv[3] : NULL;
    vm_verdict verdict;
    status = vm_record_verify(keyring, record, record_len, kind, kind ? strlen(kind) : 0, NULL, &verdict);
    free(record);
    vm_keyring_free(keyring);

    if (status == VM_STATUS_OK) {
        char hash[VM_DIGEST_TEXT_LEN];
        size_t len = 0;
        vm_digest_to_text(&verdict.hash, hash, sizeof hash, &len);
        printf("valid: receipt_hash %.*s\n", (int)len, hash);
        return 0;
    }
    print_status("invalid", status);
    if (verdict.field != NULL) {
        fprintf(stderr, "  field: %.*s\n", (int)verdict.field_len, verdict.field);
    }
    return status >= 900 ? 2 : 1;
}
