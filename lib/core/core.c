/* lib/core: modules of berthd's core layer; see docs/architecture.md. */
#include "core/core.h"

const char *core_version(void)
{
	return "0.1.0";
}
