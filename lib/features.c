/*
 * features.c - secmem_features and secmem_feature_name.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "internal.h"

static const char *const feature_names[] = {
    "lock", "nodump", "guard-pages", "protect", "fork-wipe", "idle-encrypt", "secretmem",
    "no-core",
};

unsigned int secmem_features(void)
{
    return secmem_runtime_features();
}

const char *secmem_feature_name(unsigned int feature)
{
    for (unsigned int i = 0; i < sizeof feature_names / sizeof feature_names[0]; i++)
        if (feature == 1u << i)
            return feature_names[i];
    return NULL;
}
