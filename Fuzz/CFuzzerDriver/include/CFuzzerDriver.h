#ifndef LEDGER_CFUZZERDRIVER_H
#define LEDGER_CFUZZERDRIVER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (compiler-rt's FuzzerDriver.cpp), linked in by
/// `-sanitize=fuzzer`: runs the fuzzing loop with `argv`'s flags, calling
/// `callback` for every input. Declared here so that Swift calls it with the
/// C calling convention. Only the libFuzzer build of ledger-fuzz calls it.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
