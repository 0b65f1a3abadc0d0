/* Parsers shared between the files of lib/oci (not part of its API). */
#ifndef BERTH_OCI_SPEC_INTERNAL_H
#define BERTH_OCI_SPEC_INTERNAL_H

#include "oci/spec.h"

/* process.ioPriority, process.scheduler, process.execCPUAffinity */
int oci_process_parse_attrs(json_t *proc, const char *path, struct oci_process *p,
			    struct berth_error **err);
void oci_process_free_attrs(struct oci_process *p);
/* linux.personality, linux.intelRdt */
int oci_linux_parse_attrs(json_t *linux_, struct oci_spec *s, struct berth_error **err);
void oci_linux_free_attrs(struct oci_spec *s);

#endif
