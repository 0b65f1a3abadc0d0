/* Media types of the OCI image spec and of Docker's schema 2 (see docs/core.md). */
#ifndef BERTH_CORE_IMAGES_MEDIATYPE_H
#define BERTH_CORE_IMAGES_MEDIATYPE_H

#include <stdbool.h>

#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define MT_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define MT_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define MT_OCI_LAYER_ND "application/vnd.oci.image.layer.nondistributable.v1.tar"
#define MT_OCI_LAYER_ND_GZIP "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
#define MT_OCI_LAYER_ND_ZSTD "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"
#define MT_OCI_EMPTY "application/vnd.oci.empty.v1+json"

#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define MT_DOCKER_LAYER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define MT_DOCKER_LAYER_FOREIGN "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
#define MT_DOCKER_SCHEMA1 "application/vnd.docker.distribution.manifest.v1+json"
#define MT_DOCKER_SCHEMA1_SIGNED "application/vnd.docker.distribution.manifest.v1+prettyjws"

/* The Accept header value for manifests: the four types berth reads. */
#define MT_MANIFEST_ACCEPT                                                                         \
	MT_OCI_INDEX ", " MT_DOCKER_LIST ", " MT_OCI_MANIFEST ", " MT_DOCKER_MANIFEST

/* Manifests and configs larger than this are refused (containerd's limit). */
#define MANIFEST_MAX_SIZE (4 << 20)
/* Image configs: same bound, they are read into memory whole. */
#define IMAGE_CONFIG_MAX_SIZE (8 << 20)

enum mt_compression {
	MT_COMPRESSION_UNKNOWN = -1, /* not a layer type berth can unpack */
	MT_COMPRESSION_NONE = 0,
	MT_COMPRESSION_GZIP,
	MT_COMPRESSION_ZSTD,
};

/* Comparisons ignore parameters ("; charset=utf-8") and surrounding space. */
bool mt_equal(const char *a, const char *b);
bool mt_is_image_manifest(const char *mt); /* OCI manifest or Docker schema 2 */
bool mt_is_index(const char *mt);	   /* OCI index or Docker manifest list */
bool mt_is_manifest(const char *mt);	   /* any of the four */
bool mt_is_schema1(const char *mt);
bool mt_is_config(const char *mt); /* OCI or Docker image config */
bool mt_is_layer(const char *mt);  /* a layer berth can unpack */
/* Layers that registries may not serve (foreign, nondistributable). */
bool mt_is_nondistributable(const char *mt);
enum mt_compression mt_layer_compression(const char *mt);

#endif
