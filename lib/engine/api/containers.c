/* stub: filled by the containers work (issue 5) */
#include "engine/api/api.h"

const struct api_route api_containers_routes[] = {
    {NULL, NULL, NULL},
};
