# secmem.m4 - securememory's own configure macros.

# SECMEM_CHECK_WIN32_FUNC(NAME, CALL, [LIBS], [EXTRA-INCLUDES])
# ----------------------------------------------------------------
# AC_CHECK_FUNCS cannot find Win32 API functions (they are declared with
# WINAPI and resolved through import libraries), so link a real call through
# <windows.h>.  Defines HAVE_NAME and sets ac_cv_func_NAME like AC_CHECK_FUNCS.
AC_DEFUN([SECMEM_CHECK_WIN32_FUNC], [
  AC_CACHE_CHECK([for $1], [ac_cv_func_$1], [
    secmem_save_LIBS=$LIBS
    LIBS="$LIBS $3"
    AC_LINK_IFELSE([AC_LANG_PROGRAM([[
#include <windows.h>
$4
]], [[$2;]])], [ac_cv_func_$1=yes], [ac_cv_func_$1=no])
    LIBS=$secmem_save_LIBS])
  AS_IF([test "x$ac_cv_func_$1" = xyes],
        [AC_DEFINE([HAVE_]m4_toupper([$1]), [1], [Define to 1 if you have the Win32 function $1.])])
])

# secmem_yes_if(VAR-LIST): "yes (first found)" or "no"
AC_DEFUN([SECMEM_FIRST_FOUND], [
  secmem_found=no
  for secmem_pair in $2; do
    secmem_var=${secmem_pair%%=*}
    secmem_label=${secmem_pair#*=}
    eval secmem_val=\$$secmem_var
    AS_IF([test "x$secmem_val" = xyes && test "x$secmem_found" = xno],
          [secmem_found="yes ($secmem_label)"])
  done
  $1=$secmem_found
])

# SECMEM_FEATURE_SUMMARY: works out which protections the build will have.
AC_DEFUN([SECMEM_FEATURE_SUMMARY], [
  SECMEM_FIRST_FOUND([secmem_sum_lock],
    [ac_cv_func_mlock=mlock ac_cv_func_VirtualLock=VirtualLock])
  SECMEM_FIRST_FOUND([secmem_sum_nodump],
    [ac_cv_have_decl_MADV_DONTDUMP=MADV_DONTDUMP ac_cv_have_decl_MADV_NOCORE=MADV_NOCORE ac_cv_have_decl_MAP_NOCORE=MAP_NOCORE ac_cv_have_decl_MAP_CONCEAL=MAP_CONCEAL])
  SECMEM_FIRST_FOUND([secmem_sum_fork],
    [ac_cv_have_decl_MADV_WIPEONFORK=MADV_WIPEONFORK ac_cv_have_decl_INHERIT_ZERO=minherit/INHERIT_ZERO ac_cv_have_decl_MADV_DONTFORK=MADV_DONTFORK])
  SECMEM_FIRST_FOUND([secmem_sum_protect],
    [ac_cv_func_VirtualAlloc=VirtualProtect ac_cv_func_mprotect=mprotect])
  SECMEM_FIRST_FOUND([secmem_sum_encrypt],
    [ac_cv_func_CryptProtectMemory=CryptProtectMemory])
  SECMEM_FIRST_FOUND([secmem_sum_secretmem],
    [ac_cv_have_decl_SYS_memfd_secret=memfd_secret])
  secmem_sum_core=no
  AS_IF([test "x$ac_cv_func_setrlimit" = xyes && test "x$ac_cv_have_decl_RLIMIT_CORE" = xyes],
        [secmem_sum_core="yes (RLIMIT_CORE"
         AS_IF([test "x$ac_cv_have_decl_PR_SET_DUMPABLE" = xyes],
               [secmem_sum_core="$secmem_sum_core, PR_SET_DUMPABLE"])
         AS_IF([test "x$ac_cv_have_decl_PROC_TRACE_CTL" = xyes],
               [secmem_sum_core="$secmem_sum_core, PROC_TRACE_CTL"])
         secmem_sum_core="$secmem_sum_core)"],
        [test "x$ac_cv_func_SetErrorMode" = xyes],
        [secmem_sum_core="yes (SetErrorMode SEM_NOGPFAULTERRORBOX: no WER report)"])
  AS_IF([test "x$ac_cv_func_explicit_bzero" = xyes],
        [secmem_sum_wipe="explicit_bzero (libc)"],
        [secmem_sum_wipe="lib/compat/explicit_bzero.c"])
])

AC_DEFUN([SECMEM_PRINT_SUMMARY], [
  AS_ECHO([""])
  AS_ECHO(["securememory $PACKAGE_VERSION configured for $host"])
  AS_ECHO(["  page backend ........... $secmem_page_backend"])
  AS_ECHO(["  lock (lock) ............ $secmem_sum_lock"])
  AS_ECHO(["  dump exclusion (nodump)  $secmem_sum_nodump"])
  AS_ECHO(["  fork withholding ....... $secmem_sum_fork"])
  AS_ECHO(["  guard pages, protect ... $secmem_sum_protect"])
  AS_ECHO(["  idle encryption ........ $secmem_sum_encrypt"])
  AS_ECHO(["  memfd_secret ........... $secmem_sum_secretmem (SECMEM_OPT_BACKEND)"])
  AS_ECHO(["  no-core ................ $secmem_sum_core"])
  AS_ECHO(["  secure wipe ............ $secmem_sum_wipe"])
  AS_ECHO(["  GTest suite (GLib) ..... $have_glib"])
  AS_ECHO(["  warnings as errors ..... $enable_werror"])
  AS_ECHO(["  sanitizers ............. $enable_sanitizers"])
  AS_ECHO(["  export list ............ version script: $have_version_script"])
  AS_ECHO([""])
])
