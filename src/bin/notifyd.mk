# postdesk-notifyd: drains the outbox table through the relay (include from Makefile.am).
sbin_PROGRAMS += src/bin/postdesk-notifyd
src_bin_postdesk_notifyd_SOURCES = src/bin/postdesk-notifyd.c src/bin/daemon.c src/bin/daemon.h
src_bin_postdesk_notifyd_LDADD = $(PD_LIBS)
