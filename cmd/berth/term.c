/* Raw mode and signals for the attached commands (see term.h). */
#include "term.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

/* State shared with the signal handlers: it has to be static. */
static struct termios saved;
static int saved_fd = -1;
static volatile sig_atomic_t raw_on;
static int sig_pipe[2] = {-1, -1};
static bool exit_handlers_set;

void term_restore(void)
{
	if (raw_on && saved_fd >= 0) {
		tcsetattr(saved_fd, TCSADRAIN, &saved);
		raw_on = 0;
	}
}

static void die_restored(int sig)
{
	term_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_exit_handlers(void)
{
	if (exit_handlers_set)
		return;
	exit_handlers_set = true;
	atexit(term_restore);
	static const int sigs[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, 0};
	for (const int *s = sigs; *s; s++) {
		struct sigaction old;
		sigaction(*s, NULL, &old);
		if (old.sa_handler != SIG_DFL)
			continue; /* caught by term_signals_catch(): it restores too */
		struct sigaction sa = {.sa_handler = die_restored};
		sigemptyset(&sa.sa_mask);
		sigaction(*s, &sa, NULL);
	}
}

int term_raw(int fd)
{
	struct termios t;
	if (tcgetattr(fd, &t) < 0)
		return -1;
	saved = t;
	saved_fd = fd;
	/* docker's MakeRaw (moby/term) is cfmakeraw's: output processing off
	 * too, so the container's "\r\n" reaches the terminal as it is (with
	 * OPOST every line of a tty container ended "\r\r\n") */
	cfmakeraw(&t);
	install_exit_handlers();
	if (tcsetattr(fd, TCSADRAIN, &t) < 0)
		return -1;
	raw_on = 1;
	return 0;
}

int term_size(int fd, int *rows, int *cols)
{
	struct winsize ws;
	if (ioctl(fd, TIOCGWINSZ, &ws) < 0 || ws.ws_row == 0 || ws.ws_col == 0)
		return -1;
	*rows = ws.ws_row;
	*cols = ws.ws_col;
	return 0;
}

static void on_signal(int sig)
{
	int e = errno;
	unsigned char b = (unsigned char)sig;
	if (write(sig_pipe[1], &b, 1) < 0) {
		/* pipe full: the signal is dropped, as a coalesced one */
	}
	errno = e;
}

int term_signals_catch(const int *sigs)
{
	if (sig_pipe[0] < 0 && pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	for (const int *s = sigs; *s; s++) {
		struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};
		sigemptyset(&sa.sa_mask);
		sigaction(*s, &sa, NULL);
	}
	return sig_pipe[0];
}

void term_signals_release(const int *sigs)
{
	for (const int *s = sigs; *s; s++) {
		bool term = *s == SIGHUP || *s == SIGINT || *s == SIGQUIT || *s == SIGTERM;
		struct sigaction sa = {.sa_handler =
					   term && exit_handlers_set ? die_restored : SIG_DFL};
		sigemptyset(&sa.sa_mask);
		sigaction(*s, &sa, NULL);
	}
}

const char *term_signal_name(int sig)
{
	const char *n = sigabbrev_np(sig);
	return n ? n : "KILL";
}
