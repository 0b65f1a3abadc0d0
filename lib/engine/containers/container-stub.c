/* stub: removed by the lifecycle work (issue 5) */
#include "engine/containers/container.h"
