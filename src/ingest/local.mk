noinst_LIBRARIES += src/ingest/libingest.a
src_ingest_libingest_a_SOURCES = include/postdesk/ingest.h
