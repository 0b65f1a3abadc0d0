/* Publish/subscribe of berthd's events (docker's /events): a bounded ring of
 * the recent events (for `since`) and any number of subscribers. Thread-safe.
 *
 * An event is docker's message shape, built by events_publish:
 *   {"Type":"container","Action":"start","Actor":{"ID":id,"Attributes":{...}},
 *    "scope":"local","time":s,"timeNano":ns,
 *    and for container/image events the legacy "status","id","from"} */
#ifndef BERTH_CORE_EVENTS_H
#define BERTH_CORE_EVENTS_H

#include "common/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct events_bus;
struct events_sub;

struct events_bus *events_bus_new(size_t ring_size);
void events_bus_free(struct events_bus *b);

/* type: "container", "image", "network", "volume", "daemon"; attrs (object
 * of strings, may be NULL) is not stolen. Never blocks on subscribers (a
 * subscriber that falls too far behind is dropped and sees ECONNRESET). */
void events_publish(struct events_bus *b, const char *type, const char *action, const char *id,
		    json_t *attrs);

/* Subscribe: first the ring's events with time >= since_ns (0 = none from the
 * past), then live ones. */
struct events_sub *events_subscribe(struct events_bus *b, int64_t since_ns);
/* The next event (stolen by the caller) or NULL after timeout_ms (<0 =
 * forever). -1 with errno ECONNRESET if the subscriber was dropped. */
int events_next(struct events_sub *s, int timeout_ms, json_t **ev);
void events_unsubscribe(struct events_sub *s);

/* docker's filters of GET /events (?filters=, map form {"k":{"v":true}} or
 * list form {"k":["v"]}) as {"k":["v",...]}; NULL or "" -> {}. Keys:
 * container, daemon, event, image, label, network, type, volume, plugin,
 * scope, node, service, secret, config; another is EINVAL "Invalid filter
 * 'k'". */
json_t *events_filter_parse(const char *filters, struct berth_error **err);
/* Whether the event passes: every key must match one of its values (label:
 * all of them). type: Type; event: Action ("exec_start" also matches
 * "exec_start: sh"); container/volume/network/plugin/daemon: events of that
 * type whose Actor ID starts with the value or whose name attribute does;
 * image: the Actor ID or its image name (the "image" attribute, "name" for
 * image events), with or without the tag; label: "k" or "k=v" in the
 * attributes; scope: "local". */
bool events_filter_match(json_t *filters, json_t *ev);

#endif
