/* survey: (being written) */
