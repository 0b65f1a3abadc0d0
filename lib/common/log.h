/* One log line per event, in runc's formats:
 *   text: time="2026-01-02T03:04:05Z" level=error msg="..."
 *   json: {"level":"error","msg":"...","time":"2026-01-02T03:04:05Z"}
 * containerd and conmon read the json form back when a runtime command fails.
 *
 * The sink is process-wide: set once by main() with log_setup(); library code
 * only calls log_msg() (never printf). */
#ifndef BERTH_COMMON_LOG_H
#define BERTH_COMMON_LOG_H

#include <stdbool.h>

enum log_level { LOG_ERROR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG };
enum log_format { LOG_FORMAT_TEXT = 0, LOG_FORMAT_JSON };

struct log_config {
	int fd; /* where lines go; -1 = stderr */
	enum log_format format;
	enum log_level level;
};

void log_setup(const struct log_config *cfg);
/* The fd log lines go to (for children that must log before exec). */
int log_fd(void);
bool log_enabled(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)                                                                             \
	do {                                                                                       \
		if (log_enabled(LOG_DEBUG))                                                        \
			log_msg(LOG_DEBUG, __VA_ARGS__);                                           \
	} while (0)

/* Parse "text"/"json"; returns -1 on anything else. */
int log_format_parse(const char *s, enum log_format *out);

#endif
