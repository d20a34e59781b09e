/*
 * registry.c - an open-addressing hash table from address to object.
 * Linear probing with backward-shift deletion: no tombstones, so lookups stay
 * short however many allocations come and go.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "internal.h"

#include <stdlib.h>

#include "registry.h"

struct registry_slot {
    const void *key;
    void *value;
};

#define REGISTRY_MIN_CAPACITY 64u

static size_t slot_of(const void *key, size_t capacity)
{
    /* Allocations are 16-byte aligned: drop those bits, then mix (Fibonacci). */
    uint64_t h = ((uint64_t)(uintptr_t)key >> 4) * UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(h >> 32) & (capacity - 1);
}

static void place(struct registry_slot *slots, size_t capacity, const void *key, void *value)
{
    size_t i = slot_of(key, capacity);

    while (slots[i].key != NULL)
        i = (i + 1) & (capacity - 1);
    slots[i].key = key;
    slots[i].value = value;
}

static int grow(struct registry *reg)
{
    size_t capacity = reg->capacity ? reg->capacity * 2 : REGISTRY_MIN_CAPACITY;
    struct registry_slot *slots;

    if (capacity > SIZE_MAX / sizeof *slots)
        return ENOMEM;
    slots = calloc(capacity, sizeof *slots);
    if (slots == NULL)
        return ENOMEM;
    for (size_t i = 0; i < reg->capacity; i++)
        if (reg->slots[i].key != NULL)
            place(slots, capacity, reg->slots[i].key, reg->slots[i].value);
    free(reg->slots);
    reg->slots = slots;
    reg->capacity = capacity;
    return 0;
}

int registry_insert(struct registry *reg, const void *key, void *value)
{
    /* Keep the load at or below one half: probes stay short. */
    if ((reg->count + 1) * 2 > reg->capacity) {
        int err = grow(reg);
        if (err)
            return err;
    }
    place(reg->slots, reg->capacity, key, value);
    reg->count++;
    return 0;
}

static size_t find(const struct registry *reg, const void *key)
{
    if (reg->capacity == 0 || key == NULL)
        return SIZE_MAX;
    for (size_t i = slot_of(key, reg->capacity);; i = (i + 1) & (reg->capacity - 1)) {
        if (reg->slots[i].key == key)
            return i;
        if (reg->slots[i].key == NULL)
            return SIZE_MAX;
    }
}

void *registry_lookup(const struct registry *reg, const void *key)
{
    size_t i = find(reg, key);
    return i == SIZE_MAX ? NULL : reg->slots[i].value;
}

/* Moves later members of the probe run back into the hole at `hole`. */
static void close_hole(struct registry *reg, size_t hole)
{
    size_t mask = reg->capacity - 1;

    for (size_t i = (hole + 1) & mask; reg->slots[i].key != NULL; i = (i + 1) & mask) {
        size_t home = slot_of(reg->slots[i].key, reg->capacity);
        /* Movable when its home is not in the cyclic range (hole, i]. */
        if (((i - home) & mask) >= ((i - hole) & mask)) {
            reg->slots[hole] = reg->slots[i];
            reg->slots[i].key = NULL;
            reg->slots[i].value = NULL;
            hole = i;
        }
    }
}

void *registry_remove(struct registry *reg, const void *key)
{
    size_t i = find(reg, key);
    void *value;

    if (i == SIZE_MAX)
        return NULL;
    value = reg->slots[i].value;
    reg->slots[i].key = NULL;
    reg->slots[i].value = NULL;
    reg->count--;
    close_hole(reg, i);
    return value;
}

void registry_for_each(const struct registry *reg, void (*fn)(void *value, void *ctx), void *ctx)
{
    for (size_t i = 0; i < reg->capacity; i++)
        if (reg->slots[i].key != NULL)
            fn(reg->slots[i].value, ctx);
}

void registry_clear(struct registry *reg)
{
    free(reg->slots);
    reg->slots = NULL;
    reg->capacity = 0;
    reg->count = 0;
}
