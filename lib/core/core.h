/* lib/core: the containerd layer of berthd. */
#ifndef BERTH_CORE_CORE_H
#define BERTH_CORE_CORE_H

const char *core_version(void);

#endif
