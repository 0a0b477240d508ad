# lmtp unit tests
