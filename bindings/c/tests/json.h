/*
 * A small JSON reader for the C tests: reads a test-vectors file into a tree, keeping each
 * value's raw text span (so a nested value such as a proof can be handed to the library as
 * bytes) and decoding strings to UTF-8 with their length (they may hold NUL bytes).
 *
 * It trusts its input to be a well-formed file written by the vector generator, but never
 * reads out of bounds on anything else: a syntax error makes json_parse return non-zero.
 */
#ifndef VM_TEST_JSON_H
#define VM_TEST_JSON_H

#include <stddef.h>

typedef enum { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT } json_kind;

typedef struct json_value {
    json_kind kind;
    const char *raw;          /* the value's text in the source */
    size_t raw_len;
    int boolean;              /* JSON_BOOL */
    double number;            /* JSON_NUMBER */
    char *string;             /* JSON_STRING: decoded UTF-8, NUL-terminated for convenience */
    size_t string_len;        /* ... and its length (it may contain NUL bytes) */
    struct json_value *items; /* JSON_ARRAY items, or JSON_OBJECT member values */
    char **names;             /* JSON_OBJECT member names (decoded, NUL-terminated) */
    size_t count;             /* number of items or members */
} json_value;

/* Parses text[0..len) into *out. Returns 0 on success; on failure *out holds nothing to free. */
int json_parse(const char *text, size_t len, json_value *out);

/* Frees everything json_parse allocated under v. */
void json_free(json_value *v);

/* The member `name` of an object, or NULL. */
const json_value *json_get(const json_value *object, const char *name);

/* The string member `name`, or NULL when absent or not a string. */
const json_value *json_get_string(const json_value *object, const char *name);

#endif
