# man/ - manual pages, written in mdoc(7).
#
# `make lint-man` (CI) fails on anything mandoc rates a warning or worse.
# Style notes are left out on purpose: they depend on which other manuals
# the machine has installed ("referenced manual not found: mlock(2)").
#
# Library pages (sections 3 and 7) keep their names whatever
# --program-transform-name says; the tool's page follows the tool's name.
notrans_dist_man_MANS = \
	man/securememory.7 \
	man/secmem_disable_core_dumps.3 \
	man/secmem_features.3 \
	man/secmem_lock.3 \
	man/secmem_malloc.3 \
	man/secmem_pool_new.3 \
	man/secmem_protect.3 \
	man/secmem_set_option.3 \
	man/secmem_stat_get.3 \
	man/secmem_version.3 \
	man/secmem_wipe.3
dist_man_MANS += man/securememory-check.1

# Every other public name documented on a page gets a symbolic link to that
# page when installed, so that `man secmem_calloc` works.  Links rather than
# ".so" pages: mandoc -Tlint rejects .so as fragile, and dh_installman and
# brp-compress handle symbolic links.  Each entry is page:link (section 3).
secmem_man3_links = \
	secmem_malloc.3:secmem_calloc.3 \
	secmem_malloc.3:secmem_free.3 \
	secmem_malloc.3:secmem_size.3 \
	secmem_malloc.3:secmem_protection.3 \
	secmem_malloc.3:secmem_applied.3 \
	secmem_protect.3:secmem_prot.3 \
	secmem_lock.3:secmem_unlock.3 \
	secmem_wipe.3:secmem_equal.3 \
	secmem_set_option.3:secmem_get_option.3 \
	secmem_set_option.3:secmem_option.3 \
	secmem_features.3:secmem_feature_name.3 \
	secmem_stat_get.3:secmem_trim.3 \
	secmem_stat_get.3:secmem_stat.3 \
	secmem_pool_new.3:secmem_pool_alloc.3 \
	secmem_pool_new.3:secmem_pool_free.3 \
	secmem_pool_new.3:secmem_pool_protect.3 \
	secmem_pool_new.3:secmem_pool_destroy.3 \
	secmem_pool_new.3:secmem_pool.3

install-man3-links:
	@$(NORMAL_INSTALL)
	$(MKDIR_P) '$(DESTDIR)$(man3dir)'
	@for pair in $(secmem_man3_links); do \
	  page=$${pair%%:*}; link=$${pair#*:}; \
	  echo " cd '$(DESTDIR)$(man3dir)' && $(LN_S) $$page $$link"; \
	  (cd '$(DESTDIR)$(man3dir)' && rm -f "$$link" && $(LN_S) "$$page" "$$link") || exit 1; \
	done

uninstall-man3-links:
	@$(NORMAL_UNINSTALL)
	@for pair in $(secmem_man3_links); do \
	  link=$${pair#*:}; \
	  echo " rm -f '$(DESTDIR)$(man3dir)/$$link'"; \
	  rm -f "$(DESTDIR)$(man3dir)/$$link"; \
	done

install-data-hook: install-man3-links
uninstall-hook: uninstall-man3-links
.PHONY: install-man3-links uninstall-man3-links

lint-man:
	cd $(srcdir) && mandoc -Tlint -W warning $(notrans_dist_man_MANS) $(dist_man_MANS)
.PHONY: lint-man
