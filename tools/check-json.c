/*
 * check-json.c - the report as one JSON object, for machines.
 *
 * Written by hand to keep the program free of dependencies.  Numbers that
 * may be unlimited are a number, the string "unlimited", or null (unknown).
 * Strings are escaped per RFC 8259; bytes that are not valid UTF-8 (a
 * core_pattern may hold any) become U+FFFD.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "check.h"

#include <stdio.h>
#include <string.h>

/* The writer's state: indentation depth and whether a member came first. */
struct json {
    int depth;
    int first;
};

/* Length of the valid UTF-8 sequence at s, or 0 when it is not one. */
static size_t utf8_sequence(const unsigned char *s)
{
    unsigned char c = s[0];
    unsigned char lo = 0x80, hi = 0xbf;
    size_t n;

    if (c >= 0xc2 && c <= 0xdf)
        n = 2;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4;
    else
        return 0;
    if (c == 0xe0)
        lo = 0xa0; /* overlong */
    else if (c == 0xed)
        hi = 0x9f; /* surrogates */
    else if (c == 0xf0)
        lo = 0x90; /* overlong */
    else if (c == 0xf4)
        hi = 0x8f; /* beyond U+10FFFF */
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return n;
}

static void json_string(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;

    putchar('"');
    while (*s) {
        if (*s == '"' || *s == '\\') {
            printf("\\%c", *s);
        } else if (*s == '\n') {
            fputs("\\n", stdout);
        } else if (*s == '\t') {
            fputs("\\t", stdout);
        } else if (*s < 0x20 || *s == 0x7f) {
            printf("\\u%04x", *s);
        } else if (*s >= 0x80) {
            size_t n = utf8_sequence(s);
            if (n == 0) {
                fputs("\\ufffd", stdout);
                n = 1;
            } else {
                fwrite(s, 1, n, stdout);
            }
            s += n;
            continue;
        } else {
            putchar(*s);
        }
        s++;
    }
    putchar('"');
}

static void indent(const struct json *j)
{
    for (int i = 0; i < j->depth; i++)
        fputs("  ", stdout);
}

/* Starts a member ("key": ) or an array element (key NULL). */
static void member(struct json *j, const char *key)
{
    if (!j->first)
        putchar(',');
    putchar('\n');
    j->first = 0;
    indent(j);
    if (key != NULL) {
        json_string(key);
        fputs(": ", stdout);
    }
}

static void open_(struct json *j, const char *key, char bracket)
{
    member(j, key);
    putchar(bracket);
    j->depth++;
    j->first = 1;
}

static void close_(struct json *j, char bracket)
{
    j->depth--;
    if (!j->first) {
        putchar('\n');
        indent(j);
    }
    putchar(bracket);
    j->first = 0;
}

static void str(struct json *j, const char *key, const char *value)
{
    member(j, key);
    if (value == NULL)
        fputs("null", stdout);
    else
        json_string(value);
}

static void boolean(struct json *j, const char *key, int value)
{
    member(j, key);
    fputs(value < 0 ? "null" : value ? "true" : "false", stdout);
}

static void number(struct json *j, const char *key, unsigned long long value)
{
    member(j, key);
    printf("%llu", value);
}

static void value(struct json *j, const char *key, const struct check_value *v)
{
    member(j, key);
    if (!v->known)
        fputs("null", stdout);
    else if (v->unlimited)
        fputs("\"unlimited\"", stdout);
    else
        printf("%llu", v->value);
}

/* "mlock, VirtualLock" as ["mlock", "VirtualLock"]. */
static void mechanisms(struct json *j, const char *key, const char *list)
{
    char name[96];

    open_(j, key, '[');
    while (*list) {
        size_t n = strcspn(list, ",");
        snprintf(name, sizeof name, "%.*s", (int)n, list);
        str(j, NULL, name);
        list += n;
        list += strspn(list, ", ");
    }
    close_(j, ']');
}

static void features(struct json *j, const struct check_report *r)
{
    open_(j, "features", '[');
    for (int i = 0; i < CHECK_FEATURES; i++) {
        const struct check_feature *f = &r->features[i];
        open_(j, NULL, '{');
        str(j, "name", f->name);
        number(j, "bit", f->bit);
        mechanisms(j, "compiled_in", f->compiled);
        boolean(j, "offered", f->offered);
        close_(j, '}');
    }
    close_(j, ']');
}

static void limits(struct json *j, const struct check_limits *l)
{
    open_(j, "limits", '{');
    value(j, "memlock_soft", &l->memlock_soft);
    value(j, "memlock_hard", &l->memlock_hard);
    value(j, "locked_bytes", &l->locked_now);
    boolean(j, "cap_ipc_lock", l->cap_ipc_lock);
    value(j, "max_map_count", &l->max_map_count);
    value(j, "map_count", &l->map_count);
    str(j, "core_pattern", l->core_pattern_known ? l->core_pattern : NULL);
    boolean(j, "core_pattern_piped", l->core_pattern_known ? l->core_piped : -1);
    boolean(j, "rlimit_core_governs_dumps", l->core_governed);
    value(j, "core_soft", &l->core_soft);
    value(j, "core_hard", &l->core_hard);
    close_(j, '}');
}

static void tests(struct json *j, const struct check_report *r)
{
    open_(j, "self_test", '[');
    for (size_t i = 0; i < r->n_tests; i++) {
        const struct check_test *t = &r->tests[i];
        open_(j, NULL, '{');
        str(j, "id", t->id);
        str(j, "title", t->title);
        str(j, "feature", t->feature ? secmem_feature_name(t->feature) : NULL);
        boolean(j, "claimed", t->claimed);
        str(j, "result", check_result_name(t->result));
        str(j, "detail", t->detail);
        close_(j, '}');
    }
    close_(j, ']');
}

static void budget(struct json *j, const char *key, const struct check_budget *b)
{
    open_(j, key, '{');
    value(j, "lock_bytes_per_allocation", &b->lock_bytes);
    value(j, "by_lock_budget", &b->by_lock);
    str(j, "note", b->note);
    close_(j, '}');
}

static void capacity(struct json *j, const struct check_capacity *c)
{
    open_(j, "capacity", '{');
    number(j, "secret_size", c->secret_size);
    value(j, "data_bytes_per_allocation", &c->data_bytes);
    member(j, "mappings_per_allocation");
    if (c->mappings_known)
        printf("%.2f", c->mappings_per_alloc);
    else
        fputs("null", stdout);
    budget(j, "lock", &c->anonymous);
    value(j, "by_max_map_count", &c->by_maps);
    value(j, "fit", c->binding ? &c->fit : &(struct check_value){0, 0, 0});
    str(j, "binding_limit", c->binding);
    if (c->secretmem_measured)
        budget(j, "secretmem", &c->secretmem);
    else
        str(j, "secretmem", NULL);
    close_(j, '}');
}

static void pools(struct json *j, const struct check_pools *p)
{
    open_(j, "pools", '{');
    boolean(j, "available", p->available);
    str(j, "detail", p->detail);
    number(j, "secret_size", p->secret_size);
    value(j, "first_chunk_bytes", &p->chunk_bytes);
    value(j, "first_chunk_secrets", &p->chunk_secrets);
    budget(j, "lock", &p->budget);
    close_(j, '}');
}

static void warnings(struct json *j, const struct check_report *r)
{
    open_(j, "warnings", '[');
    for (size_t i = 0; i < r->n_warnings; i++) {
        const struct check_warning *w = &r->warnings[i];
        open_(j, NULL, '{');
        str(j, "id", w->id);
        str(j, "message", w->message);
        str(j, "setting", w->setting);
        close_(j, '}');
    }
    close_(j, ']');
}

static void verdict(struct json *j, const struct check_report *r, int exit_status)
{
    str(j, "result", exit_status == 0 ? "pass" : "fail");
    open_(j, "failed", '[');
    for (size_t i = 0; i < r->n_tests; i++)
        if (r->tests[i].claimed && r->tests[i].result == CHECK_FAIL)
            str(j, NULL, r->tests[i].id);
    close_(j, ']');
    number(j, "exit_status", (unsigned long long)exit_status);
}

void report_json(const struct check_report *r, int exit_status)
{
    struct json j = {0, 1};

    putchar('{');
    j.depth = 1;
    str(&j, "program", "securememory-check");
    str(&j, "version", PACKAGE_VERSION);
    str(&j, "library_version", r->library_version);
    str(&j, "header_version", r->header_version);
    member(&j, "euid");
    if (r->uid_known)
        printf("%lu", r->euid);
    else
        fputs("null", stdout);
    member(&j, "page_size");
    if (r->page_size)
        printf("%lu", (unsigned long)r->page_size);
    else
        fputs("null", stdout);
    features(&j, r);
    limits(&j, &r->limits);
    tests(&j, r);
    capacity(&j, &r->capacity);
    pools(&j, &r->pools);
    warnings(&j, r);
    verdict(&j, r, exit_status);
    fputs("\n}\n", stdout);
}
