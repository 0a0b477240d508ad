noinst_LIBRARIES += src/store/libstore.a
src_store_libstore_a_SOURCES = include/postdesk/store.h
