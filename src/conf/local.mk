noinst_LIBRARIES += src/conf/libconf.a
src_conf_libconf_a_SOURCES = include/postdesk/conf.h
