/* fuzz.h: what the libFuzzer harnesses (tests/fuzz/fuzz_*.c) share with the replay driver
 * (replay.c). Each harness defines LLVMFuzzerTestOneInput; a broken invariant calls
 * fuzz_fail(), which aborts so that libFuzzer (or the replay test) reports it. */
#ifndef POSTDESK_FUZZ_H
#define POSTDESK_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define fuzz_fail(...)                                                                             \
	do {                                                                                       \
		fprintf(stderr, "fuzz invariant broken: " __VA_ARGS__);                            \
		fputc('\n', stderr);                                                               \
		abort();                                                                           \
	} while (0)

#endif
