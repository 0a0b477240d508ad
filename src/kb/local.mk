noinst_LIBRARIES += src/kb/libkb.a
# the knowledge base (issue 14, doc/kb.md): article files, reindex, suggestions
src_kb_libkb_a_SOURCES = include/postdesk/kb.h src/kb/article.c src/kb/suggest.c
