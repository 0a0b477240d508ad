noinst_LIBRARIES += src/lib/liblib.a
src_lib_liblib_a_SOURCES = src/lib/log.c src/lib/verdict.c src/lib/clock.c src/lib/util.c src/lib/privs.c src/lib/spool.c src/lib/zip.c \
	include/postdesk/lib.h

# the shipped languages (issue 14)
src_lib_liblib_a_SOURCES += src/lib/lang.c

# sd_notify for the systemd units (issue 17): the one file that includes <systemd/...>
src_lib_liblib_a_SOURCES += src/lib/service.c
