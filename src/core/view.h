/* view: the rows of the index screen -- which messages of an open folder
 * it shows, in which order, and how their thread tree is drawn.
 *
 * Built from a folder's messages (backend.h: msgs[0..n) in folder order)
 * and kept by the UI beside the folder; rebuilt whenever the sort, the
 * limit or the folder's generation changes.  A view holds message
 * numbers, never pointers into msgs.
 *
 * Order.  Every sort is stable and deterministic: equal keys keep folder
 * order.  Keys:
 *   VIEW_SORT_DATE     the Date header; an unknown date sorts before
 *                      every known one (mutt gives it date 0).
 *   VIEW_SORT_ARRIVAL  folder order.
 *   VIEW_SORT_FROM     the sender's display form (summary.from: the name,
 *                      else the address), ASCII case ignored; only the
 *                      first VIEW_KEY_MAX bytes count.
 *   VIEW_SORT_SUBJECT  the base subject (thread_base_subject: "Re:",
 *                      "Fwd:", "[list]" removed, ASCII case ignored).
 *   VIEW_SORT_SIZE     bytes of the message.
 *   VIEW_SORT_THREAD   threads in date order: the same as
 *                      VIEW_SORT_DATE with threaded set.
 * reverse turns the whole list around (ties too); with threads it turns
 * around the order of the threads, each still drawn top-down (mutt's
 * reverse-date with threads: newest thread first).
 *
 * Threads (threaded, or VIEW_SORT_THREAD).  thread_build() (thread.h)
 * with subject grouping (like mutt with strict_threads unset) links the
 * shown messages: with a limit, only the messages of the limit are
 * threaded, so a reply whose parent is filtered out hangs from its
 * nearest shown ancestor or starts a thread.  Within a thread messages
 * come in date order, parents first.  Threads are ordered:
 *   DATE, THREAD  as thread_build() orders them: by the earliest known
 *                 date in the thread (a thread whose top has no date
 *                 sorts by its replies' dates; only a thread without any
 *                 date sorts first), ties by folder position;
 *   ARRIVAL       by the folder position of the thread's first message;
 *   FROM, SUBJECT, SIZE  by the key of the thread's top message (of the
 *                 first child of a hidden top), ties by its folder
 *                 position.
 * The placeholder rows of thread_build() (a missing common parent) are
 * not shown: their children keep their places and their depth (1), and
 * the first of them is drawn with a branching arrow ("-->").
 *
 * Tree.  A row of depth d >= 1 is drawn as mutt draws it: for each level
 * 1..d-1 two columns, "| " where that ancestor has later siblings, else
 * "  "; then an arrow "|->" (more siblings follow), "`->" (the last
 * sibling) or "-->" (the first child of a hidden placeholder).  Depths
 * past VIEW_TREE_LEVELS are drawn compactly: the first VIEW_TREE_LEVELS -
 * 1 levels, then the arrow with the depth in it, "`-[25]>".  The rows
 * keep bits, the string is made by view_tree() for the rows on screen.
 *
 * Limits and speed: n up to THREAD_MESSAGES_MAX.  Without threads the
 * build is one sort, O(n log n); with threads thread_build() is linear
 * and the threads are sorted.  Memory: a row is 24 bytes, plus one
 * size_t per message of the folder for view_find(). */
#ifndef TERN_VIEW_H
#define TERN_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "err.h"

#define VIEW_NONE ((size_t)-1)
#define VIEW_KEY_MAX 256       /* bytes of the sender compared by FROM */
#define VIEW_TREE_LEVELS 20    /* levels drawn in full */
#define VIEW_TREE_MAX 128      /* bytes of a drawn tree, NUL included */

enum view_sort {
	VIEW_SORT_DATE = 0,
	VIEW_SORT_ARRIVAL,
	VIEW_SORT_FROM,
	VIEW_SORT_SUBJECT,
	VIEW_SORT_SIZE,
	VIEW_SORT_THREAD,
};

struct view_options {
	enum view_sort sort;
	bool reverse;
	bool threaded;         /* threads on top of the sort */
	/* The messages to show, ascending and without repeats (a search
	 * result), limit[0..n_limit); NULL shows every message. */
	const size_t *limit;
	size_t n_limit;
	/* The key of thread_build()'s id table (thread.h): random in the
	 * UI; the result never depends on it. */
	uint64_t hash_key[2];
};

enum view_arrow {
	VIEW_ARROW_NONE = 0,   /* a thread's top, or no threads */
	VIEW_ARROW_TEE,        /* "|->": a later sibling follows */
	VIEW_ARROW_CORNER,     /* "`->": the last sibling */
	VIEW_ARROW_FIRST,      /* "-->": the first child of a hidden top */
};

struct view_row {
	size_t msg;            /* index into the folder's msgs */
	unsigned depth;        /* in its thread, 0 at the top or unthreaded
				  (saturates at THREAD_DEPTH_MAX) */
	uint32_t lines;        /* bit k-1: level k has a vertical line,
				  k < VIEW_TREE_LEVELS */
	unsigned char arrow;   /* enum view_arrow */
};

struct view {
	struct view_row *rows; /* rows[0..n) top to bottom */
	size_t n;
	size_t *row_of;        /* per message of the folder: its row, or
				  VIEW_NONE when not shown */
	size_t n_msgs;         /* messages of the folder (row_of's length) */
	bool threaded;         /* the rows are threads */
};

enum view_tree_chars {
	VIEW_TREE_ASCII = 0,   /* | ` - > : safe on every terminal */
	VIEW_TREE_UTF8,        /* box drawing: ├ └ ┬ ─ │ */
};

/* An empty view (no rows), ready for view_build() or view_release(). */
void view_init(struct view *v);

/* Replaces the contents of v (view_init()ed, or built before) with the
 * rows of msgs[0..n) under opt.  Returns 0, or -1 with e set (v is then
 * empty): a limit not ascending or naming a message >= n (ERR_FOLDER,
 * ERR_USAGE: search again after the folder changed), or too many
 * messages for thread_build() (ERR_FOLDER, ERR_LIMIT).  msgs and the
 * summaries are only read during the call. */
int view_build(struct view *v, const struct be_msg *msgs, size_t n,
	       const struct view_options *opt, struct err *e);

/* The row showing message msg, or VIEW_NONE (not shown, or msg >= the
 * folder's n at build time).  O(1). */
size_t view_find(const struct view *v, size_t msg);

/* The thread tree of row (< v->n) as a NUL-terminated string in out,
 * "" for a top row or an unthreaded view; returns out.  The string is
 * safe to print (no controls) and at most VIEW_TREE_MAX - 1 bytes. */
const char *view_tree(const struct view *v, size_t row, enum view_tree_chars chars,
		      char out[VIEW_TREE_MAX]);

/* Frees the contents; v is then empty, as after view_init(). */
void view_release(struct view *v);

#endif
