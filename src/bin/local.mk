bin_PROGRAMS += src/bin/postdesk
src_bin_postdesk_SOURCES = src/bin/postdesk.c
src_bin_postdesk_LDADD = $(PD_LIBS)
