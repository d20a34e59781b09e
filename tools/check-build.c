/*
 * check-build.c - what the build was probed to support (config.h of this
 * build), next to what secmem_features() says the running system accepts.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "check.h"

#include <string.h>

static void add_mechanism(struct check_feature *f, const char *name)
{
    size_t used = strlen(f->compiled);

    if (used + strlen(name) + 3 > sizeof f->compiled)
        return;
    if (used > 0)
        strcat(f->compiled, ", ");
    strcat(f->compiled, name);
}

/* The mechanisms configure found for each feature, as lib/ uses them. */
static void compiled_lock(struct check_feature *f)
{
#if HAVE_MLOCK
    add_mechanism(f, "mlock");
#endif
#if HAVE_VIRTUALLOCK
    add_mechanism(f, "VirtualLock");
#endif
    (void)f;
}

static void compiled_nodump(struct check_feature *f)
{
#if HAVE_MADVISE && HAVE_DECL_MADV_DONTDUMP
    add_mechanism(f, "MADV_DONTDUMP");
#endif
#if HAVE_MADVISE && HAVE_DECL_MADV_NOCORE
    add_mechanism(f, "MADV_NOCORE");
#endif
#if HAVE_DECL_MAP_NOCORE
    add_mechanism(f, "MAP_NOCORE");
#endif
#if HAVE_DECL_MAP_CONCEAL
    add_mechanism(f, "MAP_CONCEAL");
#endif
    (void)f;
}

static void compiled_protect(struct check_feature *f)
{
#if HAVE_MMAP && HAVE_MPROTECT /* the mmap backend; mingw has an unused mprotect */
    add_mechanism(f, "mprotect");
#endif
#if HAVE_VIRTUALALLOC
    add_mechanism(f, "VirtualProtect");
#endif
    (void)f;
}

static void compiled_fork_wipe(struct check_feature *f)
{
#if HAVE_MADVISE && HAVE_DECL_MADV_WIPEONFORK
    add_mechanism(f, "MADV_WIPEONFORK");
#endif
#if HAVE_MINHERIT && HAVE_DECL_INHERIT_ZERO
    add_mechanism(f, "minherit(INHERIT_ZERO)");
#endif
#if HAVE_MADVISE && HAVE_DECL_MADV_DONTFORK
    add_mechanism(f, "MADV_DONTFORK");
#endif
    (void)f;
}

static void compiled_idle_encrypt(struct check_feature *f)
{
#if HAVE_CRYPTPROTECTMEMORY
    add_mechanism(f, "CryptProtectMemory");
#endif
    (void)f;
}

static void compiled_secretmem(struct check_feature *f)
{
#if HAVE_DECL_SYS_MEMFD_SECRET
    add_mechanism(f, "memfd_secret");
#endif
    (void)f;
}

static void compiled_no_core(struct check_feature *f)
{
#if HAVE_SETRLIMIT && HAVE_DECL_RLIMIT_CORE
    add_mechanism(f, "RLIMIT_CORE");
#endif
#if HAVE_PRCTL && HAVE_DECL_PR_SET_DUMPABLE
    add_mechanism(f, "PR_SET_DUMPABLE");
#endif
#if HAVE_PROCCTL && HAVE_DECL_PROC_TRACE_CTL
    add_mechanism(f, "PROC_TRACE_CTL");
#endif
#if HAVE_SETERRORMODE
    add_mechanism(f, "SetErrorMode");
#endif
    (void)f;
}

static void (*const compiled_for[CHECK_FEATURES])(struct check_feature *) = {
    compiled_lock,      compiled_nodump,       compiled_protect,   compiled_protect,
    compiled_fork_wipe, compiled_idle_encrypt, compiled_secretmem, compiled_no_core,
};

void check_build(struct check_report *r)
{
    unsigned int offered = secmem_features();

    r->library_version = secmem_version();
    r->header_version = SECMEM_VERSION_STRING;
    for (unsigned int i = 0; i < CHECK_FEATURES; i++) {
        struct check_feature *f = &r->features[i];
        f->bit = 1u << i;
        f->name = secmem_feature_name(f->bit);
        if (f->name == NULL)
            f->name = "unknown";
        f->compiled[0] = '\0';
        compiled_for[i](f);
        f->offered = (offered & f->bit) != 0;
    }
}

static const struct check_feature *feature(const struct check_report *r, unsigned int bit)
{
    for (unsigned int i = 0; i < CHECK_FEATURES; i++)
        if (r->features[i].bit == bit)
            return &r->features[i];
    return NULL;
}

int check_compiled(const struct check_report *r, unsigned int bit)
{
    const struct check_feature *f = feature(r, bit);
    return f != NULL && f->compiled[0] != '\0';
}

int check_offered(const struct check_report *r, unsigned int bit)
{
    const struct check_feature *f = feature(r, bit);
    return f != NULL && f->offered;
}

const char *check_mechanisms(const struct check_report *r, unsigned int bit)
{
    const struct check_feature *f = feature(r, bit);
    return f != NULL ? f->compiled : "";
}
