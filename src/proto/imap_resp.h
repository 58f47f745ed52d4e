/* imap_resp: what untagged data and response codes say (RFC 9051 s7).
 *
 * Pure functions over a struct imap_response from imap_parser.h: they
 * read the argument tree and fill plain structs; nothing is sent, nothing
 * kept.  The FETCH response is imap_fetch.h's, CAPABILITY (data and code)
 * the session's: here they are only classified.
 *
 * Conventions of every decoder below:
 *   - the out-struct is initialised by the call, whatever it held; after
 *     success the caller releases it with the matching _release(); after
 *     failure it is already empty (releasing it again is harmless);
 *   - a response of the wrong kind, a missing or extra argument, or an
 *     argument of the wrong type (a string where RFC 9051 s9 wants an
 *     atom, a list where it wants a number, ...) is an error: struct err
 *     with scope ERR_FOLDER (a bad response spoils what we know of the
 *     folder, not the connection) and code ERR_PARSE, or ERR_LIMIT for a
 *     cap passed; the message names the response, never quotes the server;
 *   - pointers documented as "into the response" live as long as it does
 *     (until the next imap_parser_feed()); everything else is owned.
 *
 * Folder names (LIST, LSUB, STATUS, NAMESPACE) are astrings (RFC 9051 s9
 * "mailbox"); see struct imap_name. */
#ifndef TERN_IMAP_RESP_H
#define TERN_IMAP_RESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "imap_parser.h"
#include "imap_seqset.h"
#include "imap_utf7.h"

/* ---- classifying ---- */

enum imap_data {
	IMAP_DATA_NONE,       /* tagged or continuation: no data */
	IMAP_DATA_STATUS,     /* untagged OK, NO, BAD, BYE, PREAUTH */
	IMAP_DATA_CAPABILITY,
	IMAP_DATA_ENABLED,
	IMAP_DATA_FLAGS,
	IMAP_DATA_LIST,
	IMAP_DATA_LSUB,
	IMAP_DATA_MAILBOX_STATUS, /* "* STATUS name (...)" */
	IMAP_DATA_NAMESPACE,
	IMAP_DATA_SEARCH,
	IMAP_DATA_ESEARCH,
	IMAP_DATA_VANISHED,
	IMAP_DATA_ID,
	IMAP_DATA_EXISTS,     /* "* n EXISTS" */
	IMAP_DATA_RECENT,     /* "* n RECENT": recognised, to be ignored */
	IMAP_DATA_EXPUNGE,
	IMAP_DATA_FETCH,      /* imap_fetch.h */
	IMAP_DATA_OTHER,      /* anything else: to be ignored */
	IMAP_DATA_COUNT,
};

/* What kind of response r is, from its status and first two words only
 * (ASCII case-insensitive): cheap, and no promise that the decoder of that
 * kind will accept it. */
enum imap_data imap_resp_classify(const struct imap_response *r);
/* "EXISTS", "LIST", ... ("" for NONE, "OTHER"). */
const char *imap_resp_data_name(enum imap_data d);

/* ---- flags (RFC 9051 s2.3.2) ---- */

/* System flags and the keywords tern acts on, as bits. */
enum {
	IMAP_FLAG_SEEN = 1u << 0,
	IMAP_FLAG_ANSWERED = 1u << 1,
	IMAP_FLAG_FLAGGED = 1u << 2,
	IMAP_FLAG_DELETED = 1u << 3,
	IMAP_FLAG_DRAFT = 1u << 4,
	IMAP_FLAG_RECENT = 1u << 5,      /* \Recent (IMAP4rev1 only) */
	IMAP_FLAG_FORWARDED = 1u << 6,   /* $Forwarded (RFC 5550) */
	IMAP_FLAG_JUNK = 1u << 7,        /* $Junk (RFC 9051 s2.3.2) */
	IMAP_FLAG_NOTJUNK = 1u << 8,     /* $NotJunk */
	IMAP_FLAG_ANY_KEYWORD = 1u << 9, /* "\*" in PERMANENTFLAGS: new
					    keywords may be created */
	IMAP_FLAG_BITS = 10,
};

#define IMAP_FLAGS_KEYWORDS_MAX 64  /* other flags kept */
#define IMAP_FLAG_KEYWORD_MAX 128   /* bytes of one kept flag */

/* A flag list: "(\Seen $Forwarded foo)".  Flags with a bit above are
 * bits, matched ASCII case-insensitively (flags are, RFC 9051 s2.3.2);
 * every other flag (keywords, and "\" extension flags, so that a STORE
 * can name them again) is kept as written in keywords, each once
 * (case-insensitively), at most IMAP_FLAGS_KEYWORDS_MAX of them.  A flag
 * past that cap, longer than IMAP_FLAG_KEYWORD_MAX, or not a valid flag
 * atom (an ATOM-CHAR other than "\" first, RFC 9051 s9 "flag") is
 * dropped and sets dropped: it could not be sent back.  Items that are not
 * atoms make the list an error. */
struct imap_flags {
	unsigned bits;
	char **keywords;
	size_t n_keywords;
	bool dropped;
};

void imap_resp_flags_init(struct imap_flags *f);
void imap_resp_flags_release(struct imap_flags *f);
/* Decodes the list a into f (initialised here).  Returns 0 or -1. */
int imap_resp_flags_parse(const struct imap_arg *a, struct imap_flags *f,
			  struct err *e);
/* The wire form of one bit ("\\Seen", "$Forwarded", "\\*"), or NULL. */
const char *imap_resp_flag_name(unsigned bit);
/* Whether s[0..len) may be sent as a keyword: a flag-keyword (RFC 9051
 * s9), that is an atom -- ASCII, no "\\", no blank, none of ( ) { % * "
 * ] -- of 1 to IMAP_FLAG_KEYWORD_MAX bytes. */
bool imap_resp_keyword_valid(const char *s, size_t len);

/* ---- response codes (RFC 9051 s7.1, RFC 4315, RFC 7162, RFC 5530) ---- */

enum imap_code_type {
	IMAP_CODE_NONE,        /* no "[...]" (or not a status response) */
	IMAP_CODE_OTHER,       /* a code not listed here: never an error */
	IMAP_CODE_ALERT,
	IMAP_CODE_ALREADYEXISTS,
	IMAP_CODE_APPENDUID,   /* uidvalidity, uids */
	IMAP_CODE_AUTHENTICATIONFAILED,
	IMAP_CODE_AUTHORIZATIONFAILED,
	IMAP_CODE_BADCHARSET,  /* its list is not decoded */
	IMAP_CODE_CANNOT,
	IMAP_CODE_CAPABILITY,  /* not decoded: the session's */
	IMAP_CODE_CLIENTBUG,
	IMAP_CODE_CLOSED,      /* RFC 7162 s3.2.11 */
	IMAP_CODE_COMPRESSIONACTIVE,
	IMAP_CODE_CONTACTADMIN,
	IMAP_CODE_COPYUID,     /* uidvalidity, src, uids */
	IMAP_CODE_CORRUPTION,
	IMAP_CODE_EXPIRED,
	IMAP_CODE_EXPUNGEISSUED,
	IMAP_CODE_HASCHILDREN,
	IMAP_CODE_HIGHESTMODSEQ, /* modseq */
	IMAP_CODE_INUSE,
	IMAP_CODE_LIMIT,
	IMAP_CODE_MODIFIED,    /* uids: the set that failed UNCHANGEDSINCE */
	IMAP_CODE_NOMODSEQ,
	IMAP_CODE_NONEXISTENT,
	IMAP_CODE_NOPERM,
	IMAP_CODE_NOTSAVED,
	IMAP_CODE_OVERQUOTA,
	IMAP_CODE_PARSE,
	IMAP_CODE_PERMANENTFLAGS, /* flags */
	IMAP_CODE_PRIVACYREQUIRED,
	IMAP_CODE_READ_ONLY,
	IMAP_CODE_READ_WRITE,
	IMAP_CODE_SERVERBUG,
	IMAP_CODE_TRYCREATE,
	IMAP_CODE_UIDNEXT,     /* number */
	IMAP_CODE_UIDNOTSTICKY,
	IMAP_CODE_UIDVALIDITY, /* number */
	IMAP_CODE_UNAVAILABLE,
	IMAP_CODE_UNKNOWN_CTE,
	IMAP_CODE_UNSEEN,      /* number */
	IMAP_CODE_USEATTR,
	IMAP_CODE_COUNT,
};

struct imap_code {
	enum imap_code_type type;
	const char *name;      /* as sent (upper-cased), into the response;
				  NULL with IMAP_CODE_NONE */
	uint32_t number;       /* UIDVALIDITY, UIDNEXT (nz-number), UNSEEN */
	uint64_t modseq;       /* HIGHESTMODSEQ (1 .. 2^63-1) */
	uint32_t uidvalidity;  /* COPYUID, APPENDUID (nz-number) */
	/* COPYUID: src and uids are ordered sets (imap_seqset.h) holding as
	 * many values each, to be walked in step; APPENDUID: uids (ordered);
	 * MODIFIED: uids (sorted).  "*" is refused (RFC 4315 s4). */
	struct imap_seqset src, uids;
	struct imap_flags flags; /* PERMANENTFLAGS */
};

/* Decodes the response code of the status response r into c (initialised
 * here; a response without a code gives IMAP_CODE_NONE).  A known code
 * whose arguments do not fit its grammar is an error; extra arguments
 * after those a code needs are ignored (RFC 9051 s7.1 lets codes grow). */
int imap_resp_code(const struct imap_response *r, struct imap_code *c,
		   struct err *e);
void imap_resp_code_release(struct imap_code *c);
/* "UIDVALIDITY", "READ-ONLY", ... ("" for NONE, "OTHER"). */
const char *imap_resp_code_name(enum imap_code_type t);

/* ---- message counts and flags ---- */

/* "* n EXISTS", "* n RECENT", "* n EXPUNGE": n (EXPUNGE: at least 1). */
int imap_resp_number(const struct imap_response *r, uint32_t *n_r,
		     struct err *e);
/* "* FLAGS (...)": the flags a folder knows. */
int imap_resp_flags(const struct imap_response *r, struct imap_flags *f,
		    struct err *e);

/* "* ENABLED ..." (RFC 5161 s3.2): the extensions it names (unknown
 * words are ignored; never fails). */
enum {
	IMAP_ENABLED_CONDSTORE = 1u << 0,
	IMAP_ENABLED_QRESYNC = 1u << 1,
	IMAP_ENABLED_UTF8_ACCEPT = 1u << 2,
	IMAP_ENABLED_IMAP4REV2 = 1u << 3,
};
unsigned imap_resp_enabled(const struct imap_response *r);

/* ---- searches and expunges ---- */

/* "* SEARCH [n ...] [(MODSEQ m)]" (RFC 3501 s7.2.5, RFC 7162 s3.1.6): the
 * numbers as a sorted set (initialised here), and the MODSEQ or 0.  Any order of numbers costs O(n log n). */
int imap_resp_search(const struct imap_response *r, struct imap_seqset *set,
		     uint64_t *modseq_r, struct err *e);

/* "* ESEARCH [(TAG "t")] [UID] [MIN n] [MAX n] [COUNT n] [ALL set]
 * [MODSEQ m]" (RFC 4731 s3.1, RFC 9051 s7.3.4).  Other return data (a
 * name and one value) is skipped. */
enum {
	IMAP_ESEARCH_MIN = 1u << 0,
	IMAP_ESEARCH_MAX = 1u << 1,
	IMAP_ESEARCH_COUNT = 1u << 2,
	IMAP_ESEARCH_ALL = 1u << 3,
	IMAP_ESEARCH_MODSEQ = 1u << 4,
};
struct imap_esearch {
	const char *tag;       /* the correlator's tag, into the response;
				  NULL if none */
	bool uid;
	unsigned present;      /* IMAP_ESEARCH_* */
	uint32_t min, max, count;
	uint64_t modseq;
	struct imap_seqset all; /* sorted */
};
int imap_resp_esearch(const struct imap_response *r, struct imap_esearch *es,
		      struct err *e);
void imap_resp_esearch_release(struct imap_esearch *es);

/* "* VANISHED [(EARLIER)] uid-set" (RFC 7162 s3.2.10): the UIDs, sorted
 * (initialised here; release with imap_seqset_release()). */
int imap_resp_vanished(const struct imap_response *r, bool *earlier_r,
		       struct imap_seqset *uids, struct err *e);

/* ---- folders ---- */

#define IMAP_RESP_NAME_MAX 1000  /* bytes of a folder name on the wire */

/* A folder name as the server sent it.
 *   wire:    its bytes (NUL-terminated; wire_len counts them, a literal
 *            may hold a NUL): what to send back in commands, unchanged;
 *   display: UTF-8 for people: decoded from modified UTF-7 (mode
 *            IMAP_NAME_MUTF7), or checked UTF-8 (IMAP_NAME_UTF8, once
 *            UTF8=ACCEPT or IMAP4rev2 is on), by imap_utf7_from_server();
 *            "INBOX" for INBOX;
 *   inbox:   the name is INBOX in any case (RFC 9051 s5.1);
 *   invalid: the name is not valid in its encoding: display is then the
 *            escaped form of imap_utf7.h, to show and never to use (as a
 *            path, a cache key, or a name to encode and send back).
 * An ATOM, STRING or LITERAL; NIL is read as the name "NIL" (a server
 * that did not quote it).  More than IMAP_RESP_NAME_MAX bytes is
 * ERR_LIMIT. */
struct imap_name {
	char *wire;
	size_t wire_len;
	char *display;
	bool inbox;
	bool invalid;
};

int imap_resp_name(const struct imap_arg *a, enum imap_name_mode mode,
		   struct imap_name *n, struct err *e);
void imap_resp_name_release(struct imap_name *n);

/* LIST and LSUB attributes (RFC 9051 s7.3.1, RFC 5258, RFC 6154),
 * matched ASCII case-insensitively; unknown ones are ignored. */
enum {
	IMAP_LIST_NOINFERIORS = 1u << 0,
	IMAP_LIST_NOSELECT = 1u << 1,
	IMAP_LIST_NONEXISTENT = 1u << 2,   /* also sets NOSELECT (RFC 5258 s3) */
	IMAP_LIST_HASCHILDREN = 1u << 3,
	IMAP_LIST_HASNOCHILDREN = 1u << 4, /* also set by NOINFERIORS */
	IMAP_LIST_SUBSCRIBED = 1u << 5,
	IMAP_LIST_MARKED = 1u << 6,
	IMAP_LIST_UNMARKED = 1u << 7,
	IMAP_LIST_REMOTE = 1u << 8,
	IMAP_LIST_ALL = 1u << 9,           /* special use, RFC 6154 s2 */
	IMAP_LIST_ARCHIVE = 1u << 10,
	IMAP_LIST_DRAFTS = 1u << 11,
	IMAP_LIST_FLAGGED = 1u << 12,
	IMAP_LIST_JUNK = 1u << 13,
	IMAP_LIST_SENT = 1u << 14,
	IMAP_LIST_TRASH = 1u << 15,
	IMAP_LIST_IMPORTANT = 1u << 16,    /* RFC 8457 */
	IMAP_LIST_CHILD_SUBSCRIBED = 1u << 17, /* CHILDINFO ("SUBSCRIBED"),
						  RFC 5258 s3.5 */
};
#define IMAP_LIST_SPECIAL_USE (IMAP_LIST_ALL | IMAP_LIST_ARCHIVE | \
	IMAP_LIST_DRAFTS | IMAP_LIST_FLAGGED | IMAP_LIST_JUNK | \
	IMAP_LIST_SENT | IMAP_LIST_TRASH | IMAP_LIST_IMPORTANT)

/* "* LIST (attrs) delim name [(ext)]" and "* LSUB ..." */
struct imap_list {
	bool lsub;
	unsigned attrs;        /* IMAP_LIST_* */
	char delim;            /* the hierarchy delimiter, '\0' for NIL */
	struct imap_name name;
};

/* Attributes are atoms; the delimiter is NIL or a string of one byte
 * 0x01..0x7f (a quoted "\\" arrives as one "\"); the extended data
 * (RFC 5258 s9 mbox-list-extended) is read for CHILDINFO and otherwise
 * skipped. */
int imap_resp_list(const struct imap_response *r, enum imap_name_mode mode,
		   struct imap_list *l, struct err *e);
void imap_resp_list_release(struct imap_list *l);

/* "* STATUS name (item value ...)" (RFC 9051 s7.3.3 "status-att-val",
 * RFC 7162 s3.1.7 HIGHESTMODSEQ, which may be 0 here).  Unknown items (a name
 * and one value) are skipped; present says which were given. */
enum {
	IMAP_STATUS_HAS_MESSAGES = 1u << 0,
	IMAP_STATUS_HAS_RECENT = 1u << 1,
	IMAP_STATUS_HAS_UIDNEXT = 1u << 2,
	IMAP_STATUS_HAS_UIDVALIDITY = 1u << 3,
	IMAP_STATUS_HAS_UNSEEN = 1u << 4,
	IMAP_STATUS_HAS_DELETED = 1u << 5,
	IMAP_STATUS_HAS_SIZE = 1u << 6,
	IMAP_STATUS_HAS_HIGHESTMODSEQ = 1u << 7,
};
struct imap_mailbox_status {
	struct imap_name name;
	unsigned present;
	uint32_t messages, recent, uidnext, uidvalidity, unseen, deleted;
	uint64_t size, highestmodseq;
};
int imap_resp_status(const struct imap_response *r, enum imap_name_mode mode,
		     struct imap_mailbox_status *st, struct err *e);
void imap_resp_status_release(struct imap_mailbox_status *st);

/* "* NAMESPACE personal other shared" (RFC 2342 s5, RFC 9051 s7.3.2): the
 * first personal namespace only.  Each of the three must be NIL or a list
 * of ("prefix" delim ...) entries. */
struct imap_namespace {
	bool personal;         /* false: the personal namespace was NIL */
	struct imap_name prefix; /* e.g. "" or "INBOX." */
	char delim;            /* '\0' for NIL */
};
int imap_resp_namespace(const struct imap_response *r, enum imap_name_mode mode,
			struct imap_namespace *ns, struct err *e);
void imap_resp_namespace_release(struct imap_namespace *ns);

#endif
