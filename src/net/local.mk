noinst_LIBRARIES += src/net/libnet.a
# The client side of the mail protocols (libetpan's one home): SMTP submission, IMAP, POP3.
src_net_libnet_a_SOURCES = include/postdesk/net.h src/net/smtp.c
