# notify unit tests
