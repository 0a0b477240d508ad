noinst_LIBRARIES += src/conf/libconf.a
src_conf_libconf_a_SOURCES = include/postdesk/conf.h src/conf/conf-private.h \
	src/conf/conf.c src/conf/conf-value.c src/conf/hours.c \
	src/conf/orders.c
EXTRA_DIST += src/conf/keys.def
# postdesk config [-n]: the effective configuration (issue 17)
src_conf_libconf_a_SOURCES += src/conf/dump.c
