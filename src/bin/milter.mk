# postdesk-milter: SMTP-time policy for Postfix's smtpd_milters (doc/milter.md).
# Included from Makefile.am after src/bin/local.mk.
sbin_PROGRAMS += src/bin/postdesk-milter
src_bin_postdesk_milter_SOURCES = src/bin/postdesk-milter.c src/bin/daemon.c src/bin/daemon.h
src_bin_postdesk_milter_LDADD = $(PD_LIBS)
