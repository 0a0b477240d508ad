# postdesk-fetchd: IMAP/POP3 intake from hosted mailboxes (issue 15; include from Makefile.am).
sbin_PROGRAMS += src/bin/postdesk-fetchd
src_bin_postdesk_fetchd_SOURCES = src/bin/postdesk-fetchd.c src/bin/daemon.c src/bin/daemon.h
src_bin_postdesk_fetchd_LDADD = $(PD_LIBS)
