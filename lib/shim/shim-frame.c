/* stub: the shim protocol framing (issue 5, berth-shim work) */
#include "shim/shim-proto.h"
