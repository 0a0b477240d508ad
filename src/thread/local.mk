noinst_LIBRARIES += src/thread/libthread.a
src_thread_libthread_a_SOURCES = src/thread/thread.c include/postdesk/thread.h
src_thread_libthread_a_SOURCES += src/thread/agent.c
src_thread_libthread_a_SOURCES += src/thread/trust.c src/thread/thread-private.h
# merge and split (issue 13)
src_thread_libthread_a_SOURCES += src/thread/merge.c src/thread/agent_moves.c

# the command address (issue 13: #search, #mine, #queue, #overdue)
src_thread_libthread_a_SOURCES += src/thread/command.c

# the language of a new ticket (issue 14; doc/languages.md)
src_thread_libthread_a_SOURCES += src/thread/lang.c
