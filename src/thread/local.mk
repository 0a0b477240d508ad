noinst_LIBRARIES += src/thread/libthread.a
src_thread_libthread_a_SOURCES = src/thread/thread.c include/postdesk/thread.h
src_thread_libthread_a_SOURCES += src/thread/agent.c
src_thread_libthread_a_SOURCES += src/thread/trust.c src/thread/thread-private.h

# the command address (issue 13: #search, #mine, #queue, #overdue)
src_thread_libthread_a_SOURCES += src/thread/command.c
