/* report: (being written) */
