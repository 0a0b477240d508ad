noinst_LIBRARIES += src/parse/libparse.a
src_parse_libparse_a_SOURCES = include/postdesk/parse.h \
	src/parse/parse-private.h \
	src/parse/parse.c \
	src/parse/options.c \
	src/parse/part.c \
	src/parse/charset.c \
	src/parse/html.c \
	src/parse/mime.c \
	src/parse/dsn.c \
	src/parse/subject.c
src_parse_libparse_a_SOURCES += src/parse/quote.c src/parse/quote_html.c src/parse/quote_line.c \
	src/parse/quote_words.def \
	src/parse/digest.c src/parse/build.c src/parse/automatic.c src/parse/authres.c \
	src/parse/address.c src/parse/reply_view.c

# format=flowed (RFC 3676) text made plain (issue 12)
src_parse_libparse_a_SOURCES += src/parse/flowed.c

# a customer's "status" request (issue 13): the words per language
src_parse_libparse_a_SOURCES += src/parse/one_word.c src/parse/status.c src/parse/status_words.def
# the language of a customer's text, by libexttextcat (issue 14; doc/languages.md)
src_parse_libparse_a_SOURCES += src/parse/lang.c
AM_CPPFLAGS += $(EXTTEXTCAT_CFLAGS) -DPOSTDESK_TEXTCAT_DIR='"$(EXTTEXTCAT_DATADIR)"'
DEP_LIBS += $(EXTTEXTCAT_LIBS)

# stems and stop words of the knowledge base (issue 14): the one libstemmer user
src_parse_libparse_a_SOURCES += src/parse/stem.c src/parse/stop_words.def
# a customer's "solved" answer to the suggested articles (issue 14)
src_parse_libparse_a_SOURCES += src/parse/solved.c src/parse/solved_words.def
