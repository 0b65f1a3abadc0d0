/* Exec processes of containers (docker exec), kept in the engine's exec
 * table (struct engine.execs, made on first use): created by POST
 * /containers/{id}/exec, started by POST /exec/{id}/start through the shim's
 * exec op, their exits recorded by ctr_exec_exit_hook (defined in exec.c). An
 * exec whose container is gone is gone too (looked up lazily; the lifecycle
 * code may also call exec_table_remove_container at removal). */
#ifndef BERTH_ENGINE_API_EXEC_H
#define BERTH_ENGINE_API_EXEC_H

#include <jansson.h>

struct engine;
struct exec_table;

/* Forget every exec of the container (its removal). */
void exec_table_remove_container(struct engine *e, const char *ctr_id);
/* The ids of the container's execs that have not exited (inspect's
 * ExecIDs): an array, or JSON null when there are none, as dockerd shows
 * it. New reference. */
json_t *exec_ids_of(struct engine *e, const char *ctr_id);
/* At engine shutdown. */
void exec_table_free(struct exec_table *t);

#endif
