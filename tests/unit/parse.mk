# parse unit tests
