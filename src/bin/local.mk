bin_PROGRAMS += src/bin/postdesk
src_bin_postdesk_SOURCES = src/bin/postdesk.c
src_bin_postdesk_LDADD = $(PD_LIBS)

sbin_PROGRAMS += src/bin/postdesk-lmtpd
src_bin_postdesk_lmtpd_SOURCES = src/bin/postdesk-lmtpd.c src/bin/daemon.c src/bin/daemon.h
src_bin_postdesk_lmtpd_LDADD = $(PD_LIBS)
