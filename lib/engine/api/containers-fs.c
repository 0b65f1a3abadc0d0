/* stub: filled by the containers work (issue 5) */
#include "engine/api/api.h"

const struct api_route api_containers_fs_routes[] = {
    {NULL, NULL, NULL},
};

const struct api_route api_containers_fs_body_routes[] = {
    {NULL, NULL, NULL},
};
