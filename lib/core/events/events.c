/* stub: the events bus (issue 5) */
#include "core/events/events.h"
