/*
 * version.c - the version of the library actually loaded.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "internal.h"

const char *secmem_version(void)
{
    return PACKAGE_VERSION;
}
