/*
 * registry.h - live objects by address (guarded allocations, pools).
 *
 * The registry is how the library tells its own pointers from foreign,
 * interior and already-freed ones, and it keeps all metadata out of the
 * pages the caller writes to.  Not locked: the owner holds its own lock.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SECMEM_REGISTRY_H
#define SECMEM_REGISTRY_H

#include <stddef.h>

struct registry {
    struct registry_slot *slots; /* open addressing, linear probing */
    size_t capacity;             /* a power of two, or 0 */
    size_t count;
};

#define REGISTRY_INITIALIZER { NULL, 0, 0 }

/* 0, or ENOMEM when the table cannot grow.  key must not be present. */
int registry_insert(struct registry *reg, const void *key, void *value);
/* The value stored for key, or NULL. */
void *registry_lookup(const struct registry *reg, const void *key);
/* Removes key and returns its value, or NULL when absent. */
void *registry_remove(struct registry *reg, const void *key);
/* Calls fn for every value (order unspecified); fn must not modify reg. */
void registry_for_each(const struct registry *reg, void (*fn)(void *value, void *ctx), void *ctx);
/* Forgets everything and frees the table. */
void registry_clear(struct registry *reg);

#endif /* SECMEM_REGISTRY_H */
