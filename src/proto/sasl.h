/* sasl: the client side of the SASL mechanisms tern speaks (RFC 4422),
 * as pure functions over bytes -- no I/O, no state beyond what a caller
 * holds -- shared by the POP3 (RFC 5034) and IMAP (RFC 4959) clients.
 * The protocol module frames the messages (base64, "+ " continuations,
 * "*" to cancel); here each mechanism turns credentials and server
 * challenges into client responses.
 *
 * Messages in and out are raw (decoded) bytes, appended to the caller's
 * buffer; sasl_b64_encode()/sasl_b64_decode() convert.
 *
 * Secrets: every buffer and array in here that held a password, a key or
 * a proof is wiped before it is released.  An output that carries a
 * secret (PLAIN, LOGIN's password step, XOAUTH2, OAUTHBEARER) is the
 * caller's to buf_wipe().  Error messages never contain a secret; text
 * from the server is sanitised (SANITIZE_LINE) and shortened.
 *
 * SASLprep (RFC 4013), which SCRAM applies to the user name and password
 * (RFC 5802 s2.2), is implemented for the subset where it is the
 * identity: printable ASCII, 0x20..0x7E.  Control characters are
 * prohibited by SASLprep (tables C.2.1, C.2.2) and refused; non-ASCII
 * input is refused too (SASL_ERR_PREP) rather than sent unprepared,
 * because mapping and NFKC would need the Unicode tables.  The caller then
 * picks another mechanism (pop3 does so automatically).
 *
 * Errors: scope ERR_ACCOUNT, code one of the SASL_ERR_* below (or
 * ERR_LIMIT when an output buffer's maximum is reached). */
#ifndef TERN_SASL_H
#define TERN_SASL_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

/* err codes (struct err .code) beside those of err.h. */
#define SASL_ERR_CHALLENGE ((enum err_code)300) /* the server's challenge
						  is malformed */
#define SASL_ERR_PREP ((enum err_code)301)      /* a credential SASLprep (our
						  subset) refuses, or with bytes
						  the mechanism cannot carry */
#define SASL_ERR_SERVER_PROOF ((enum err_code)302) /* SCRAM: the server's
						  signature is wrong or missing:
						  it is not the server that
						  holds the password (or a man
						  in the middle) */
#define SASL_ERR_SERVER ((enum err_code)303)    /* SCRAM: the server answered
						  "e=..." */
#define SASL_ERR_ITERATIONS ((enum err_code)304) /* SCRAM: iteration count
						  outside the allowed range */

enum sasl_mech {
	SASL_NONE = 0,
	SASL_PLAIN,          /* RFC 4616 */
	SASL_LOGIN,          /* draft-murchison-sasl-login */
	SASL_CRAM_MD5,       /* RFC 2195 */
	SASL_SCRAM_SHA_1,    /* RFC 5802 */
	SASL_SCRAM_SHA_256,  /* RFC 7677 */
	SASL_OAUTHBEARER,    /* RFC 7628 */
	SASL_XOAUTH2,        /* Google's format */
	SASL_MECH_COUNT,
};

/* The registered name ("SCRAM-SHA-256"); "" for SASL_NONE. */
const char *sasl_mech_name(enum sasl_mech m);
/* The mechanism named name[0..len) (ASCII case-insensitive), or
 * SASL_NONE. */
enum sasl_mech sasl_mech_from_name(const char *name, size_t len);
/* Whether the mechanism hands the secret itself to the server (PLAIN,
 * LOGIN, and the bearer tokens): only to be used over TLS. */
bool sasl_mech_reveals_secret(enum sasl_mech m);
/* Whether the client speaks first (an initial response is possible):
 * PLAIN, SCRAM-*, OAUTHBEARER, XOAUTH2.  CRAM-MD5 and LOGIN wait for a
 * server challenge. */
bool sasl_mech_client_first(enum sasl_mech m);

/* Base64 (RFC 4648 s4) of p[0..n), appended to out.  Returns 0, or -1 if
 * out's maximum was reached. */
int sasl_b64_encode(const void *p, size_t n, struct buf *out) BUF_WUR;
/* Decodes s[0..n) strictly, as RFC 5034 s4 asks: only the base64
 * alphabet, length a multiple of 4, '=' only as one or two final pad
 * characters.  Appends to out.  Returns 0, or -1 (errno EINVAL for bad
 * input, ENOSPC when out's maximum was reached). */
int sasl_b64_decode(const char *s, size_t n, struct buf *out) BUF_WUR;

/* Whether s is within the SASLprep subset above (printable ASCII, and
 * non-empty). */
bool sasl_prep_ok(const char *s);

/* PLAIN (RFC 4616 s2): [authzid] NUL user NUL password.  authzid may be
 * NULL or "" (none).  user and password must be non-empty. */
int sasl_plain(const char *authzid, const char *user, const char *password,
	       struct buf *out, struct err *e);

/* LOGIN: the answer to the server's step-th prompt (0: the user name,
 * 1: the password; no other step exists). */
int sasl_login(unsigned step, const char *user, const char *password,
	       struct buf *out, struct err *e);

/* CRAM-MD5 (RFC 2195 s2): user SP hex(HMAC-MD5(password, challenge)),
 * the challenge being the decoded server challenge. */
int sasl_cram_md5(const char *user, const char *password,
		  const char *challenge, size_t len, struct buf *out,
		  struct err *e);

/* XOAUTH2: "user=" user ^A "auth=Bearer " token ^A ^A.  user must not
 * contain ^A; token must be a bearer token (RFC 6750 s2.1 b64token). */
int sasl_xoauth2(const char *user, const char *token, struct buf *out,
		 struct err *e);

/* OAUTHBEARER (RFC 7628 s3.1): "n,a=" user "," ^A ["host=" host ^A]
 * ["port=" port ^A] "auth=Bearer " token ^A ^A.  host may be NULL and
 * port 0 (left out).  The user is escaped as a saslname (',' and '='). */
int sasl_oauthbearer(const char *user, const char *host, unsigned port,
		     const char *token, struct buf *out, struct err *e);
/* The client's answer to an OAUTHBEARER error challenge (RFC 7628
 * s3.2.3): a single ^A, after which the server fails the exchange. */
#define SASL_OAUTHBEARER_ABORT "\x01"

/* SCRAM-SHA-1 / SCRAM-SHA-256 (RFC 5802, RFC 7677), client side, without
 * channel binding ("n,," GS2 header).  Steps:
 *   sasl_scram_init()
 *   sasl_scram_client_first()   -> client-first-message
 *   sasl_scram_client_final()   <- server-first-message
 *                               -> client-final-message (with the proof)
 *   sasl_scram_server_final()   <- server-final-message: the server's
 *                                  signature is checked; a wrong one is
 *                                  SASL_ERR_SERVER_PROOF (RFC 5802 s5:
 *                                  the exchange MUST fail)
 *   sasl_scram_release()        wipes everything
 * Only after sasl_scram_server_final() returned 0 is the server known to
 * hold the password. */
#define SASL_SCRAM_NONCE_MAX 64
#define SASL_SCRAM_MSG_MAX 4096   /* any SCRAM message we build or accept */

enum sasl_scram_step {
	SASL_SCRAM_START,
	SASL_SCRAM_FIRST_SENT,
	SASL_SCRAM_FINAL_SENT,
	SASL_SCRAM_VERIFIED,
	SASL_SCRAM_FAILED,
};

struct sasl_scram {
	enum sasl_mech mech;          /* SASL_SCRAM_SHA_1 or _256 */
	enum sasl_scram_step step;
	unsigned long iter_min, iter_max;
	char nonce[SASL_SCRAM_NONCE_MAX + 1];  /* the client nonce */
	struct buf first_bare;        /* client-first-message-bare */
	unsigned char server_sig[64]; /* expected ServerSignature */
	size_t sig_len;
};

/* The iteration count a server may ask for: at least 4096 (RFC 7677 s4
 * SHOULD; a man in the middle lowering it makes the proof cheap to
 * attack offline) and at most 1,000,000 (PBKDF2 time is ours to bound). */
#define SASL_SCRAM_ITER_MIN 4096UL
#define SASL_SCRAM_ITER_MAX 1000000UL

/* mech is SASL_SCRAM_SHA_1 or SASL_SCRAM_SHA_256; iter_min/iter_max 0
 * for the defaults above. */
void sasl_scram_init(struct sasl_scram *s, enum sasl_mech mech,
		     unsigned long iter_min, unsigned long iter_max);
/* nonce: NULL for a fresh one (18 bytes from OpenSSL's RAND_bytes, in
 * base64); tests pass the RFC's.  A given nonce must be 1..64 printable
 * ASCII characters other than ','.  The user name is SASLprep'd (subset
 * above) and escaped ("=2C", "=3D"). */
int sasl_scram_client_first(struct sasl_scram *s, const char *user,
			    const char *nonce, struct buf *out, struct err *e);
/* Checks the server-first-message (nonce extends ours; salt; iteration
 * count within range; an "m=" mandatory extension is refused) and
 * appends the client-final-message. */
int sasl_scram_client_final(struct sasl_scram *s, const char *password,
			    const char *server_first, size_t len,
			    struct buf *out, struct err *e);
/* Checks the server-final-message: "v=" with the right signature
 * (compared in constant time) returns 0; "e=..." is SASL_ERR_SERVER with
 * the server's reason; a wrong or malformed "v=" SASL_ERR_SERVER_PROOF. */
int sasl_scram_server_final(struct sasl_scram *s, const char *server_final,
			    size_t len, struct err *e);
void sasl_scram_release(struct sasl_scram *s);

/* ---- one exchange, whatever the protocol ----
 *
 * What a mechanism answers, step by step; the protocol frames it (base64
 * lines, "+ " challenges, the initial response on the command line or
 * after an empty challenge) and decides what a failure means. */

#define SASL_DETAIL_MAX 168

struct sasl_client {
	enum sasl_mech mech;
	const char *user, *secret;  /* not copied: must outlive the exchange */
	const char *host;           /* OAUTHBEARER host= (may be NULL) */
	unsigned port;              /* OAUTHBEARER port= (0: none) */
	const char *test_nonce;     /* SCRAM, tests only (NULL: random) */
	unsigned round;             /* challenges answered */
	bool proof_sent;            /* an answer built so far holds the secret
				       or a proof of it (the initial response
				       is the caller's to count, when sent) */
	bool verified;              /* SCRAM: the server proved itself */
	char detail[SASL_DETAIL_MAX]; /* OAuth: the error challenge, sanitised */
	struct sasl_scram scram;
};

void sasl_client_init(struct sasl_client *x, enum sasl_mech mech, const char *user,
		      const char *secret, unsigned long iter_min, unsigned long iter_max);
void sasl_client_release(struct sasl_client *x);
/* The initial response (RFC 4422 s3) appended to out: for the mechanisms
 * where the client speaks first; nothing for the others. */
int sasl_client_initial(struct sasl_client *x, struct buf *out, struct err *e);
/* The answer to the (decoded) challenge ch[0..n), appended to out.  A
 * SCRAM server-final-message whose signature is wrong is
 * SASL_ERR_SERVER_PROOF; a challenge more than the mechanism has is
 * SASL_ERR_CHALLENGE. */
int sasl_client_answer(struct sasl_client *x, const char *ch, size_t n, struct buf *out,
		       struct err *e);
/* Whether a success reported by the server may be believed: for SCRAM
 * only once the server proved itself (RFC 5802 s5). */
bool sasl_client_success_ok(const struct sasl_client *x);

#endif
