# thread unit tests
