# quote unit tests
