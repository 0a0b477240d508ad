/* testutil: helpers shared by the Check suites that start servers or make temp trees. */
#ifndef POSTDESK_TESTUTIL_H
#define POSTDESK_TESTUTIL_H

/* A free TCP port on 127.0.0.1 right now (bind to port 0 and ask). */
int test_free_port(void);
/* 1 if something accepts connections on 127.0.0.1:port. */
int test_port_open(int port);
/* Remove a temp tree (rm -rf). */
void test_rm_rf(const char *dir);

#endif
