/* Dockerfile instructions applied to an image config, as `docker import
 * --change` and `docker commit --change` do: CMD, ENTRYPOINT, ENV, EXPOSE,
 * LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR (exec form as a JSON
 * array, else shell form / words). Other instructions are refused. */
#ifndef BERTH_CORE_IMAGES_CHANGES_H
#define BERTH_CORE_IMAGES_CHANGES_H

#include "common/error.h"

#include <jansson.h>

/* Apply one line to `config` (the "config" object of an image config:
 * Cmd, Entrypoint, Env, ExposedPorts, Labels, OnBuild, StopSignal, User,
 * Volumes, WorkingDir). EINVAL with docker's message on a bad line;
 * config is unchanged then. */
int image_change_apply(json_t *config, const char *line, struct berth_error **err);

#endif
