noinst_LIBRARIES += src/thread/libthread.a
src_thread_libthread_a_SOURCES = include/postdesk/thread.h
