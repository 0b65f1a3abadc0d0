/* stub: removed by the spec generation work (issue 5) */
#include "engine/spec/specgen.h"
