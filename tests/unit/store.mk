# store unit tests
