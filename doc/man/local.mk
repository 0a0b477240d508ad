# Manual pages (issue 17). postdesk.conf(5) is written at build time from src/conf/keys.def by
# gen-conf-man, so it lists exactly the keys the program knows; the others are mdoc by
# hand. A new program adds its page to POSTDESK_MAN8 (one line) and a file beside these.
POSTDESK_MAN1 = doc/man/postdesk.1
POSTDESK_MAN8 = doc/man/postdesk-lmtpd.8 doc/man/postdesk-notifyd.8 doc/man/postdesk-milter.8 \
	doc/man/postdesk-fetchd.8
dist_man1_MANS = $(POSTDESK_MAN1)
dist_man8_MANS = $(POSTDESK_MAN8)
man5_MANS = doc/man/postdesk.conf.5

EXTRA_PROGRAMS = doc/man/gen-conf-man
doc_man_gen_conf_man_SOURCES = doc/man/gen-conf-man.c
# no sanitizers: a build tool, run during the build
doc_man_gen_conf_man_CFLAGS = -std=c11 $(WARN_CFLAGS) $(GMIME_CFLAGS)
doc_man_gen_conf_man_LDFLAGS =
doc_man_gen_conf_man_LDADD = $(GMIME_LIBS)

doc/man/postdesk.conf.5: doc/man/gen-conf-man$(EXEEXT)
	$(AM_V_GEN)$(MKDIR_P) doc/man && doc/man/gen-conf-man$(EXEEXT) >$@.tmp && mv $@.tmp $@
CLEANFILES += doc/man/postdesk.conf.5 doc/man/gen-conf-man$(EXEEXT)
