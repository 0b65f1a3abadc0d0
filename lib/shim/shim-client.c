/* stub: berthd's shim client (issue 5, berth-shim work) */
#include "shim/shim-client.h"
