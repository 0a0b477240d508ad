noinst_LIBRARIES += src/net/libnet.a
# The client side of the mail protocols (libetpan's one home): SMTP submission, IMAP, POP3.
src_net_libnet_a_SOURCES = include/postdesk/net.h src/net/smtp.c
src_net_libnet_a_SOURCES += src/net/net-private.h src/net/stream.c src/net/imap.c src/net/pop3.c
