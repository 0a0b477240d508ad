noinst_LIBRARIES += src/notify/libnotify.a
src_notify_libnotify_a_SOURCES = include/postdesk/notify.h \
	src/notify/template.c \
	src/notify/build.c \
	src/notify/smtp.c
