/* A small JSON reader for the C tests (see json.h). */
#include "json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *text;
    size_t len;
    size_t pos;
    int depth;
} reader;

static void skip_ws(reader *r) {
    while (r->pos < r->len) {
        char c = r->text[r->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            return;
        }
        r->pos++;
    }
}

static int literal(reader *r, const char *word) {
    size_t n = strlen(word);
    if (r->len - r->pos < n || memcmp(r->text + r->pos, word, n) != 0) {
        return -1;
    }
    r->pos += n;
    return 0;
}

static int hex4(reader *r, uint32_t *out) {
    uint32_t v = 0;
    if (r->len - r->pos < 4) {
        return -1;
    }
    for (int i = 0; i < 4; i++) {
        char c = r->text[r->pos++];
        v <<= 4;
        if (c >= '0' && c <= '9') {
            v |= (uint32_t)(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            v |= (uint32_t)(c - 'a' + 10);
        } else if (c >= 'A' && c <= 'F') {
            v |= (uint32_t)(c - 'A' + 10);
        } else {
            return -1;
        }
    }
    *out = v;
    return 0;
}

static size_t put_utf8(char *out, uint32_t cp) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Reads a string at r->pos (the opening quote) into a new buffer. */
static int read_string(reader *r, char **out, size_t *out_len) {
    if (r->pos >= r->len || r->text[r->pos] != '"') {
        return -1;
    }
    r->pos++;
    /* Decoded text is never longer than the escaped text. */
    size_t start = r->pos;
    size_t end = start;
    while (end < r->len && r->text[end] != '"') {
        end += (r->text[end] == '\\') ? 2 : 1;
    }
    if (end >= r->len) {
        return -1;
    }
    char *buf = malloc(end - start + 1);
    if (buf == NULL) {
        return -1;
    }
    size_t n = 0;
    while (r->pos < end) {
        char c = r->text[r->pos++];
        if (c != '\\') {
            buf[n++] = c;
            continue;
        }
        char e = r->text[r->pos++];
        switch (e) {
        case '"': buf[n++] = '"'; break;
        case '\\': buf[n++] = '\\'; break;
        case '/': buf[n++] = '/'; break;
        case 'b': buf[n++] = '\b'; break;
        case 'f': buf[n++] = '\f'; break;
        case 'n': buf[n++] = '\n'; break;
        case 'r': buf[n++] = '\r'; break;
        case 't': buf[n++] = '\t'; break;
        case 'u': {
            uint32_t cp;
            if (hex4(r, &cp) != 0 || r->pos > end) {
                free(buf);
                return -1;
            }
            if (cp >= 0xD800 && cp < 0xDC00 && r->len - r->pos >= 6 && r->text[r->pos] == '\\' &&
                r->text[r->pos + 1] == 'u') {
                size_t save = r->pos;
                uint32_t low;
                r->pos += 2;
                if (hex4(r, &low) == 0 && r->pos <= end && low >= 0xDC00 && low < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                } else {
                    r->pos = save;
                }
            }
            n += put_utf8(buf + n, cp);
            break;
        }
        default:
            free(buf);
            return -1;
        }
    }
    r->pos = end + 1;
    buf[n] = '\0';
    *out = buf;
    *out_len = n;
    return 0;
}

static int read_value(reader *r, json_value *v);

static int push(json_value **items, size_t *count, size_t *cap, json_value *v) {
    if (*count == *cap) {
        size_t next = *cap ? *cap * 2 : 4;
        json_value *grown = realloc(*items, next * sizeof **items);
        if (grown == NULL) {
            return -1;
        }
        *items = grown;
        *cap = next;
    }
    (*items)[(*count)++] = *v;
    return 0;
}

static int read_array(reader *r, json_value *v) {
    size_t cap = 0;
    r->pos++; /* [ */
    skip_ws(r);
    if (r->pos < r->len && r->text[r->pos] == ']') {
        r->pos++;
        return 0;
    }
    for (;;) {
        json_value item;
        if (read_value(r, &item) != 0) {
            return -1;
        }
        if (push(&v->items, &v->count, &cap, &item) != 0) {
            json_free(&item);
            return -1;
        }
        skip_ws(r);
        if (r->pos >= r->len) {
            return -1;
        }
        char c = r->text[r->pos++];
        if (c == ']') {
            return 0;
        }
        if (c != ',') {
            return -1;
        }
    }
}

static int read_object(reader *r, json_value *v) {
    size_t cap = 0;
    size_t name_cap = 0;
    r->pos++; /* { */
    skip_ws(r);
    if (r->pos < r->len && r->text[r->pos] == '}') {
        r->pos++;
        return 0;
    }
    for (;;) {
        char *name;
        size_t name_len;
        skip_ws(r);
        if (read_string(r, &name, &name_len) != 0) {
            return -1;
        }
        if (v->count == name_cap) {
            size_t next = name_cap ? name_cap * 2 : 4;
            char **grown = realloc(v->names, next * sizeof *grown);
            if (grown == NULL) {
                free(name);
                return -1;
            }
            v->names = grown;
            name_cap = next;
        }
        skip_ws(r);
        if (r->pos >= r->len || r->text[r->pos] != ':') {
            free(name);
            return -1;
        }
        r->pos++;
        json_value item;
        if (read_value(r, &item) != 0) {
            free(name);
            return -1;
        }
        v->names[v->count] = name;
        if (push(&v->items, &v->count, &cap, &item) != 0) {
            free(name);
            json_free(&item);
            return -1;
        }
        skip_ws(r);
        if (r->pos >= r->len) {
            return -1;
        }
        char c = r->text[r->pos++];
        if (c == '}') {
            return 0;
        }
        if (c != ',') {
            return -1;
        }
    }
}

static int read_value(reader *r, json_value *v) {
    memset(v, 0, sizeof *v);
    skip_ws(r);
    if (r->pos >= r->len || r->depth > 200) {
        return -1;
    }
    size_t start = r->pos;
    char c = r->text[r->pos];
    int rc;
    r->depth++;
    if (c == '{') {
        v->kind = JSON_OBJECT;
        rc = read_object(r, v);
    } else if (c == '[') {
        v->kind = JSON_ARRAY;
        rc = read_array(r, v);
    } else if (c == '"') {
        v->kind = JSON_STRING;
        rc = read_string(r, &v->string, &v->string_len);
    } else if (c == 't') {
        v->kind = JSON_BOOL;
        v->boolean = 1;
        rc = literal(r, "true");
    } else if (c == 'f') {
        v->kind = JSON_BOOL;
        rc = literal(r, "false");
    } else if (c == 'n') {
        v->kind = JSON_NULL;
        rc = literal(r, "null");
    } else {
        char buf[64];
        size_t n = 0;
        while (r->pos < r->len && n < sizeof buf - 1 && strchr("+-0123456789.eE", r->text[r->pos]) != NULL) {
            buf[n++] = r->text[r->pos++];
        }
        buf[n] = '\0';
        char *end;
        v->kind = JSON_NUMBER;
        v->number = strtod(buf, &end);
        rc = (n == 0 || *end != '\0') ? -1 : 0;
    }
    r->depth--;
    if (rc != 0) {
        json_free(v);
        return -1;
    }
    v->raw = r->text + start;
    v->raw_len = r->pos - start;
    return 0;
}

int json_parse(const char *text, size_t len, json_value *out) {
    reader r = {text, len, 0, 0};
    if (read_value(&r, out) != 0) {
        return -1;
    }
    skip_ws(&r);
    if (r.pos != r.len) {
        json_free(out);
        return -1;
    }
    return 0;
}

void json_free(json_value *v) {
    for (size_t i = 0; i < v->count; i++) {
        json_free(&v->items[i]);
        if (v->names != NULL) {
            free(v->names[i]);
        }
    }
    free(v->items);
    free(v->names);
    free(v->string);
    memset(v, 0, sizeof *v);
}

const json_value *json_get(const json_value *object, const char *name) {
    if (object == NULL || object->kind != JSON_OBJECT) {
        return NULL;
    }
    for (size_t i = 0; i < object->count; i++) {
        if (strcmp(object->names[i], name) == 0) {
            return &object->items[i];
        }
    }
    return NULL;
}

const json_value *json_get_string(const json_value *object, const char *name) {
    const json_value *v = json_get(object, name);
    return (v != NULL && v->kind == JSON_STRING) ? v : NULL;
}
