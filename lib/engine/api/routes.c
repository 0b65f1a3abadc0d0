/* Every route table of the API, one line per resource file. */
#include "engine/api/api.h"

/* clang-format off */
const struct api_route *const api_routes[] = {
    api_system_routes,
    api_images_routes,
    api_images_push_routes,
    api_auth_routes,
    api_system_df_routes,
    api_images_save_routes,
    api_containers_routes,
    api_containers_io_routes,
    api_exec_routes,
    api_containers_fs_routes,
    api_containers_info_routes,
    api_events_routes,
    NULL,
};
/* clang-format on */

/* Routes whose handlers read the request body as it arrives. */
const struct api_route *const api_body_routes[] = {
    api_images_import_routes,
    api_images_load_routes,
    api_containers_fs_body_routes,
    NULL,
};
