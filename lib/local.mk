# lib/ - libsecurememory

lib_LTLIBRARIES += lib/libsecurememory.la

lib_libsecurememory_la_SOURCES = \
	lib/internal.h \
	lib/mutex.h \
	lib/page.h \
	lib/init.c \
	lib/fatal.c \
	lib/registry.c lib/registry.h \
	lib/stats.c lib/stats.h \
	lib/options.c \
	lib/features.c \
	lib/guarded.c \
	lib/cache.c lib/cache.h \
	lib/lockmem.c \
	lib/pool.c lib/pool.h lib/pool-slot.h lib/pool-chunk.c lib/pool-class.c \
	lib/pool-registry.c lib/pool-state.c \
	lib/process.c \
	lib/wipe.c \
	lib/version.c

if PAGE_MMAP
lib_libsecurememory_la_SOURCES += lib/page-mmap.c
endif
if PAGE_WIN32
lib_libsecurememory_la_SOURCES += lib/page-win32.c
endif
# Sources under a conditional are distributed whatever configure chose.
EXTRA_DIST += lib/libsecurememory.map

lib_libsecurememory_la_CPPFLAGS = $(AM_CPPFLAGS) -DSECMEM_BUILDING_DLL
lib_libsecurememory_la_CFLAGS = $(AM_CFLAGS) $(SECMEM_VISIBILITY_CFLAGS) $(PTHREAD_CFLAGS)
# The compat objects (lib/compat/, via LIBOBJS) are linked in, never exported.
lib_libsecurememory_la_LIBADD = $(LTLIBOBJS) $(PTHREAD_LIBS) $(SECMEM_SYSTEM_LIBS)
lib_libsecurememory_la_LDFLAGS = $(AM_LDFLAGS) $(SECMEM_HARDEN_LDFLAGS) -no-undefined \
	-version-info $(SECMEM_LT_CURRENT):$(SECMEM_LT_REVISION):$(SECMEM_LT_AGE)
if HAVE_VERSION_SCRIPT
lib_libsecurememory_la_LDFLAGS += -Wl,--version-script=$(srcdir)/lib/libsecurememory.map
endif
lib_libsecurememory_la_DEPENDENCIES = $(LTLIBOBJS) $(srcdir)/lib/libsecurememory.map
