// SwiftPM builds a C target from at least one source file; the module's
// only content is the declaration in include/CFuzzerDriver.h.
#include "CFuzzerDriver.h"
