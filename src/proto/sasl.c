#include "config.h"

#include "sasl.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "i18n.h"
#include "sanitize.h"
#include "str.h"

/* Server text quoted in an error message is cut to this many bytes. */
#define QUOTE_MAX 120

static const char *const mech_names[SASL_MECH_COUNT] = {
	[SASL_NONE] = "",
	[SASL_PLAIN] = "PLAIN",
	[SASL_LOGIN] = "LOGIN",
	[SASL_CRAM_MD5] = "CRAM-MD5",
	[SASL_SCRAM_SHA_1] = "SCRAM-SHA-1",
	[SASL_SCRAM_SHA_256] = "SCRAM-SHA-256",
	[SASL_OAUTHBEARER] = "OAUTHBEARER",
	[SASL_XOAUTH2] = "XOAUTH2",
};

const char *sasl_mech_name(enum sasl_mech m)
{
	if ((unsigned)m >= SASL_MECH_COUNT)
		return "";
	return mech_names[m];
}

enum sasl_mech sasl_mech_from_name(const char *name, size_t len)
{
	for (unsigned m = SASL_NONE + 1; m < SASL_MECH_COUNT; m++)
		if (strlen(mech_names[m]) == len && str_eqn_ci(name, mech_names[m], len))
			return (enum sasl_mech)m;
	return SASL_NONE;
}

bool sasl_mech_reveals_secret(enum sasl_mech m)
{
	return m == SASL_PLAIN || m == SASL_LOGIN || m == SASL_OAUTHBEARER ||
	       m == SASL_XOAUTH2;
}

bool sasl_mech_client_first(enum sasl_mech m)
{
	return m == SASL_PLAIN || m == SASL_SCRAM_SHA_1 ||
	       m == SASL_SCRAM_SHA_256 || m == SASL_OAUTHBEARER ||
	       m == SASL_XOAUTH2;
}

/* ---- base64 ---- */

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int sasl_b64_encode(const void *p, size_t n, struct buf *out)
{
	const unsigned char *s = p;
	char q[4];

	if (n / 3 >= (SIZE_MAX - 4) / 4 || buf_reserve(out, (n + 2) / 3 * 4) < 0)
		return -1;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)s[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		q[0] = b64_alphabet[v >> 18 & 63];
		q[1] = b64_alphabet[v >> 12 & 63];
		q[2] = i + 1 < n ? b64_alphabet[v >> 6 & 63] : '=';
		q[3] = i + 2 < n ? b64_alphabet[v & 63] : '=';
		if (buf_append(out, q, 4) < 0)
			return -1;
	}
	return 0;
}

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int sasl_b64_decode(const char *s, size_t n, struct buf *out)
{
	if (n % 4 != 0) {
		errno = EINVAL;
		return -1;
	}
	for (size_t i = 0; i < n; i += 4) {
		/* '=' only as the last one or two characters of the input
		 * (RFC 5034 s4: "=AAA" and "AAA=BBB" are refused). */
		size_t pad = 0;
		if (i + 4 == n && s[i + 3] == '=')
			pad = s[i + 2] == '=' ? 2 : 1;
		unsigned v = 0;
		for (size_t k = 0; k < 4; k++) {
			int d = k >= 4 - pad ? 0 : b64_value((unsigned char)s[i + k]);
			if (d < 0) {
				errno = EINVAL;
				return -1;
			}
			v = v << 6 | (unsigned)d;
		}
		unsigned char b[3] = { (unsigned char)(v >> 16),
				       (unsigned char)(v >> 8), (unsigned char)v };
		if (buf_append(out, b, 3 - pad) < 0)
			return -1;
	}
	return 0;
}

/* ---- credentials ---- */

bool sasl_prep_ok(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

static int out_full(struct err *e)
{
	return err_set(e, ERR_ACCOUNT, ERR_LIMIT,
		       _("authentication message too long"));
}

int sasl_plain(const char *authzid, const char *user, const char *password,
	       struct buf *out, struct err *e)
{
	if (*user == '\0' || *password == '\0')
		return err_set(e, ERR_ACCOUNT, SASL_ERR_PREP,
			       _("PLAIN needs a user name and a password"));
	if (authzid != NULL && buf_append_str(out, authzid) < 0)
		return out_full(e);
	if (buf_append_char(out, '\0') < 0 || buf_append_str(out, user) < 0 ||
	    buf_append_char(out, '\0') < 0 || buf_append_str(out, password) < 0)
		return out_full(e);
	return 0;
}

int sasl_login(unsigned step, const char *user, const char *password,
	       struct buf *out, struct err *e)
{
	if (step > 1)
		return err_set(e, ERR_ACCOUNT, SASL_ERR_CHALLENGE,
			       _("LOGIN: the server asked for more than a user name and a password"));
	if (buf_append_str(out, step == 0 ? user : password) < 0)
		return out_full(e);
	return 0;
}

static int hmac(enum sasl_mech mech, const void *key, size_t key_len,
		const void *data, size_t len, unsigned char *md, size_t *md_len)
{
	const EVP_MD *type = mech == SASL_CRAM_MD5 ? EVP_md5() :
			     mech == SASL_SCRAM_SHA_1 ? EVP_sha1() : EVP_sha256();
	unsigned int n = 0;

	if (key_len > INT_MAX ||
	    HMAC(type, key, (int)key_len, data, len, md, &n) == NULL)
		return -1;
	*md_len = n;
	return 0;
}

int sasl_cram_md5(const char *user, const char *password,
		  const char *challenge, size_t len, struct buf *out,
		  struct err *e)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	size_t md_len;

	if (*user == '\0')
		return err_set(e, ERR_ACCOUNT, SASL_ERR_PREP,
			       _("CRAM-MD5 needs a user name"));
	if (hmac(SASL_CRAM_MD5, password, strlen(password), challenge, len,
		 md, &md_len) < 0)
		return err_set(e, ERR_ACCOUNT, ERR_UNAVAILABLE,
			       _("CRAM-MD5: HMAC-MD5 is not available"));
	int rc = buf_append_str(out, user) < 0 ? -1 : buf_append_char(out, ' ');
	for (size_t i = 0; rc == 0 && i < md_len; i++)
		rc = buf_printf(out, "%02x", md[i]);
	OPENSSL_cleanse(md, sizeof(md));
	return rc < 0 ? out_full(e) : 0;
}

/* RFC 6750 s2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" /
 * "+" / "/" ) *"=" */
static bool bearer_token_ok(const char *t)
{
	size_t i = 0;
	while (t[i] != '\0' && (strchr("-._~+/", t[i]) != NULL ||
				(t[i] >= 'a' && t[i] <= 'z') ||
				(t[i] >= 'A' && t[i] <= 'Z') ||
				(t[i] >= '0' && t[i] <= '9')))
		i++;
	if (i == 0)
		return false;
	while (t[i] == '=')
		i++;
	return t[i] == '\0';
}

static int bad_token(struct err *e)
{
	return err_set(e, ERR_ACCOUNT, SASL_ERR_PREP,
		       _("the OAuth token is empty or has characters a bearer token cannot have"));
}

int sasl_xoauth2(const char *user, const char *token, struct buf *out,
		 struct err *e)
{
	if (*user == '\0' || strchr(user, '\x01') != NULL)
		return err_set(e, ERR_ACCOUNT, SASL_ERR_PREP,
			       _("XOAUTH2: the user name is empty or has a control character"));
	if (!bearer_token_ok(token))
		return bad_token(e);
	if (buf_printf(out, "user=%s\x01" "auth=Bearer %s\x01\x01", user, token) < 0)
		return out_full(e);
	return 0;
}

/* saslname (RFC 5802 s7, also RFC 7628's gs2-header): ',' and '='
 * escaped. */
static int append_saslname(struct buf *out, const char *s)
{
	for (; *s != '\0'; s++) {
		int rc = *s == ',' ? buf_append_str(out, "=2C") :
			 *s == '=' ? buf_append_str(out, "=3D") :
			 buf_append_char(out, *s);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static bool has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

int sasl_oauthbearer(const char *user, const char *host, unsigned port,
		     const char *token, struct buf *out, struct err *e)
{
	if (*user == '\0' || has_control(user) ||
	    (host != NULL && has_control(host)))
		return err_set(e, ERR_ACCOUNT, SASL_ERR_PREP,
			       _("OAUTHBEARER: the user or host name is empty or has a control character"));
	if (!bearer_token_ok(token))
		return bad_token(e);
	int rc = buf_append_str(out, "n,a=");
	if (rc == 0)
		rc = append_saslname(out, user);
	if (rc == 0)
		rc = buf_append_str(out, ",\x01");
	if (rc == 0 && host != NULL && *host != '\0')
		rc = buf_printf(out, "host=%s\x01", host);
	if (rc == 0 && port != 0)
		rc = buf_printf(out, "port=%u\x01", port);
	if (rc == 0)
		rc = buf_printf(out, "auth=Bearer %s\x01\x01", token);
	return rc < 0 ? out_full(e) : 0;
}

/* ---- SCRAM ---- */

void sasl_scram_init(struct sasl_scram *s, enum sasl_mech mech,
		     unsigned long iter_min, unsigned long iter_max)
{
	memset(s, 0, sizeof(*s));
	s->mech = mech == SASL_SCRAM_SHA_1 ? SASL_SCRAM_SHA_1 : SASL_SCRAM_SHA_256;
	s->step = SASL_SCRAM_START;
	s->iter_min = iter_min ? iter_min : SASL_SCRAM_ITER_MIN;
	s->iter_max = iter_max ? iter_max : SASL_SCRAM_ITER_MAX;
	buf_init(&s->first_bare, SASL_SCRAM_MSG_MAX);
}

void sasl_scram_release(struct sasl_scram *s)
{
	buf_wipe(&s->first_bare);
	buf_release(&s->first_bare);
	OPENSSL_cleanse(s, sizeof(*s));
	buf_init(&s->first_bare, SASL_SCRAM_MSG_MAX);
	s->step = SASL_SCRAM_FAILED;
}

static size_t hash_len(const struct sasl_scram *s)
{
	return s->mech == SASL_SCRAM_SHA_1 ? 20 : 32;
}

/* printable = %x21-2B / %x2D-7E (RFC 5802 s7) */
static bool nonce_ok(const char *p, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x21 || (unsigned char)p[i] > 0x7e ||
		    p[i] == ',')
			return false;
	return true;
}

static int fresh_nonce(struct sasl_scram *s, struct err *e)
{
	unsigned char raw[18];
	struct buf b;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return err_set(e, ERR_ACCOUNT, ERR_UNAVAILABLE,
			       _("SCRAM: no random numbers for the nonce"));
	buf_init(&b, SASL_SCRAM_NONCE_MAX);
	int rc = sasl_b64_encode(raw, sizeof(raw), &b);
	if (rc == 0)
		str_copy(s->nonce, sizeof(s->nonce), b.data);
	buf_release(&b);
	return rc < 0 ? out_full(e) : 0;
}

int sasl_scram_client_first(struct sasl_scram *s, const char *user,
			    const char *nonce, struct buf *out, struct err *e)
{
	if (s->step != SASL_SCRAM_START)
		return err_set(e, ERR_ACCOUNT, ERR_USAGE, _("SCRAM: steps out of order"));
	if (!sasl_prep_ok(user))
		return err_set(e, ERR_ACCOUNT, SASL_ERR_PREP,
			       _("SCRAM: the user name is empty or not printable ASCII (SASLprep)"));
	if (nonce == NULL) {
		if (fresh_nonce(s, e) < 0)
			return -1;
	} else if (!nonce_ok(nonce, strlen(nonce)) ||
		   str_copy(s->nonce, sizeof(s->nonce), nonce) < 0) {
		return err_set(e, ERR_ACCOUNT, ERR_USAGE, _("SCRAM: bad nonce"));
	}
	buf_reset(&s->first_bare);
	if (buf_append_str(&s->first_bare, "n=") < 0 ||
	    append_saslname(&s->first_bare, user) < 0 ||
	    buf_printf(&s->first_bare, ",r=%s", s->nonce) < 0 ||
	    buf_append_str(out, "n,,") < 0 ||
	    buf_append(out, s->first_bare.data, s->first_bare.len) < 0)
		return out_full(e);
	s->step = SASL_SCRAM_FIRST_SENT;
	return 0;
}

struct scram_first {
	const char *nonce;
	size_t nonce_len;
	const char *salt;
	size_t salt_len;
	unsigned long iter;
};

static int malformed(struct sasl_scram *s, struct err *e, const char *what)
{
	s->step = SASL_SCRAM_FAILED;
	return err_set(e, ERR_ACCOUNT, SASL_ERR_CHALLENGE,
		       _("SCRAM: the server's challenge is malformed (%s)"), what);
}

/* The next attribute "X=value" of msg[*pos..len): its letter and value;
 * *pos is advanced past the following ',' if any. */
static bool next_attr(const char *msg, size_t len, size_t *pos, char *name_r,
		      const char **val_r, size_t *val_len_r)
{
	size_t p = *pos;
	if (p + 2 > len || msg[p + 1] != '=')
		return false;
	*name_r = msg[p];
	const char *comma = memchr(msg + p + 2, ',', len - p - 2);
	size_t end = comma != NULL ? (size_t)(comma - msg) : len;
	*val_r = msg + p + 2;
	*val_len_r = end - p - 2;
	*pos = comma != NULL ? end + 1 : len;
	return true;
}

/* server-first-message = [reserved-mext ","] nonce "," salt ","
 * iteration-count ["," extensions]  (RFC 5802 s7; the order is fixed). */
static int parse_server_first(struct sasl_scram *s, const char *msg,
			      size_t len, struct scram_first *f, struct err *e)
{
	size_t pos = 0;
	char name = '\0';
	const char *v;
	size_t vlen;
	char num[16];

	if (memchr(msg, '\0', len) != NULL)
		return malformed(s, e, "NUL");
	if (!next_attr(msg, len, &pos, &name, &v, &vlen) || name == 'm')
		return malformed(s, e, name == 'm' ? "mandatory extension" : "r");
	size_t own = strlen(s->nonce);
	if (name != 'r' || vlen <= own || memcmp(v, s->nonce, own) != 0 ||
	    !nonce_ok(v, vlen))
		return malformed(s, e, "nonce");
	f->nonce = v;
	f->nonce_len = vlen;
	if (!next_attr(msg, len, &pos, &name, &v, &vlen) || name != 's' || vlen == 0)
		return malformed(s, e, "salt");
	f->salt = v;
	f->salt_len = vlen;
	if (!next_attr(msg, len, &pos, &name, &v, &vlen) || name != 'i' ||
	    vlen == 0 || vlen >= sizeof(num) || v[0] == '0')
		return malformed(s, e, "iteration count");
	memcpy(num, v, vlen);
	num[vlen] = '\0';
	if (str_to_ulong(num, 1, ULONG_MAX, &f->iter) < 0)
		return malformed(s, e, "iteration count");
	/* Extensions after these are ignored (RFC 5802 s7). */
	return 0;
}

struct scram_keys {
	unsigned char salted[64];
	unsigned char client_key[64];
	unsigned char stored_key[64];
	unsigned char client_sig[64];
	unsigned char server_key[64];
	struct buf salt;
	struct buf auth_message;
};

/* RFC 5802 s3: SaltedPassword, ClientKey, StoredKey, ClientSignature,
 * ServerKey, ServerSignature. */
static int scram_compute(struct sasl_scram *s, const char *password,
			 const struct scram_first *f, struct scram_keys *k)
{
	size_t hl = hash_len(s), n;
	const EVP_MD *md = s->mech == SASL_SCRAM_SHA_1 ? EVP_sha1() : EVP_sha256();
	unsigned int dlen = 0;

	if (strlen(password) > INT_MAX || k->salt.len > INT_MAX || f->iter > INT_MAX ||
	    PKCS5_PBKDF2_HMAC(password, (int)strlen(password),
			      (const unsigned char *)k->salt.data, (int)k->salt.len,
			      (int)f->iter, md, (int)hl, k->salted) != 1)
		return -1;
	if (hmac(s->mech, k->salted, hl, "Client Key", 10, k->client_key, &n) < 0 ||
	    EVP_Digest(k->client_key, hl, k->stored_key, &dlen, md, NULL) != 1 ||
	    hmac(s->mech, k->stored_key, hl, k->auth_message.data,
		 k->auth_message.len, k->client_sig, &n) < 0 ||
	    hmac(s->mech, k->salted, hl, "Server Key", 10, k->server_key, &n) < 0 ||
	    hmac(s->mech, k->server_key, hl, k->auth_message.data,
		 k->auth_message.len, s->server_sig, &s->sig_len) < 0)
		return -1;
	for (size_t i = 0; i < hl; i++)
		k->client_sig[i] ^= k->client_key[i]; /* now the ClientProof */
	return 0;
}

static void keys_release(struct scram_keys *k)
{
	buf_wipe(&k->salt);
	buf_release(&k->salt);
	buf_wipe(&k->auth_message);
	buf_release(&k->auth_message);
	OPENSSL_cleanse(k, sizeof(*k));
}

static int iterations_refused(struct sasl_scram *s, unsigned long iter,
			      struct err *e)
{
	s->step = SASL_SCRAM_FAILED;
	return err_set(e, ERR_ACCOUNT, SASL_ERR_ITERATIONS,
		       _("SCRAM: the server asks for %lu iterations; only %lu to %lu are accepted"),
		       iter, s->iter_min, s->iter_max);
}

int sasl_scram_client_final(struct sasl_scram *s, const char *password,
			    const char *server_first, size_t len,
			    struct buf *out, struct err *e)
{
	struct scram_first f;
	struct scram_keys k;

	if (s->step != SASL_SCRAM_FIRST_SENT)
		return err_set(e, ERR_ACCOUNT, ERR_USAGE, _("SCRAM: steps out of order"));
	if (!sasl_prep_ok(password)) {
		s->step = SASL_SCRAM_FAILED;
		return err_set(e, ERR_ACCOUNT, SASL_ERR_PREP,
			       _("SCRAM: the password is empty or not printable ASCII (SASLprep)"));
	}
	if (len > SASL_SCRAM_MSG_MAX)
		return malformed(s, e, "length");
	if (parse_server_first(s, server_first, len, &f, e) < 0)
		return -1;
	if (f.iter < s->iter_min || f.iter > s->iter_max)
		return iterations_refused(s, f.iter, e);
	memset(&k, 0, sizeof(k));
	buf_init(&k.salt, SASL_SCRAM_MSG_MAX);
	buf_init(&k.auth_message, 3 * SASL_SCRAM_MSG_MAX);
	int rc = -1;
	if (sasl_b64_decode(f.salt, f.salt_len, &k.salt) < 0 || k.salt.len == 0) {
		malformed(s, e, "salt");
		goto out;
	}
	/* AuthMessage = client-first-message-bare "," server-first-message ","
	 * client-final-message-without-proof; "biws" is base64("n,,"). */
	if (buf_printf(&k.auth_message, "%s,", s->first_bare.data) < 0 ||
	    buf_append(&k.auth_message, server_first, len) < 0 ||
	    buf_append_str(&k.auth_message, ",c=biws,r=") < 0 ||
	    buf_append(&k.auth_message, f.nonce, f.nonce_len) < 0) {
		malformed(s, e, "length");
		goto out;
	}
	if (scram_compute(s, password, &f, &k) < 0) {
		s->step = SASL_SCRAM_FAILED;
		err_set(e, ERR_ACCOUNT, ERR_UNAVAILABLE,
			_("SCRAM: the hash functions failed (OpenSSL)"));
		goto out;
	}
	const char *final_bare = k.auth_message.data + k.auth_message.len -
				 (strlen("c=biws,r=") + f.nonce_len);
	if (buf_append(out, final_bare, strlen("c=biws,r=") + f.nonce_len) < 0 ||
	    buf_append_str(out, ",p=") < 0 ||
	    sasl_b64_encode(k.client_sig, hash_len(s), out) < 0) {
		out_full(e);
		goto out;
	}
	s->step = SASL_SCRAM_FINAL_SENT;
	rc = 0;
out:
	keys_release(&k);
	return rc;
}

static int server_error(struct sasl_scram *s, const char *v, size_t vlen,
			struct err *e)
{
	struct buf why;

	buf_init(&why, QUOTE_MAX);
	buf_cut_ok(sanitize_text(v, vlen, SANITIZE_LINE, &why));
	s->step = SASL_SCRAM_FAILED;
	err_set(e, ERR_ACCOUNT, SASL_ERR_SERVER,
		_("SCRAM: the server refused the login: %s"), why.data);
	buf_release(&why);
	return -1;
}

static int no_proof(struct sasl_scram *s, struct err *e)
{
	s->step = SASL_SCRAM_FAILED;
	return err_set(e, ERR_ACCOUNT, SASL_ERR_SERVER_PROOF,
		       _("SCRAM: the server could not prove that it knows the password: "
			 "it may not be the real server"));
}

int sasl_scram_server_final(struct sasl_scram *s, const char *server_final,
			    size_t len, struct err *e)
{
	size_t pos = 0;
	char name;
	const char *v;
	size_t vlen;
	struct buf sig;

	if (s->step != SASL_SCRAM_FINAL_SENT)
		return err_set(e, ERR_ACCOUNT, ERR_USAGE, _("SCRAM: steps out of order"));
	if (len > SASL_SCRAM_MSG_MAX ||
	    !next_attr(server_final, len, &pos, &name, &v, &vlen))
		return no_proof(s, e);
	if (name == 'e')
		return server_error(s, v, vlen, e);
	if (name != 'v')
		return no_proof(s, e);
	buf_init(&sig, sizeof(s->server_sig));
	bool same = sasl_b64_decode(v, vlen, &sig) == 0 && sig.len == s->sig_len &&
		    CRYPTO_memcmp(sig.data, s->server_sig, s->sig_len) == 0;
	buf_release(&sig);
	if (!same)
		return no_proof(s, e);
	s->step = SASL_SCRAM_VERIFIED;
	return 0;
}

/* ---- one exchange ---- */

void sasl_client_init(struct sasl_client *x, enum sasl_mech mech, const char *user,
		      const char *secret, unsigned long iter_min, unsigned long iter_max)
{
	memset(x, 0, sizeof(*x));
	x->mech = mech;
	x->user = user;
	x->secret = secret;
	sasl_scram_init(&x->scram, mech, iter_min, iter_max);
}

void sasl_client_release(struct sasl_client *x)
{
	sasl_scram_release(&x->scram);
	OPENSSL_cleanse(x->detail, sizeof(x->detail));
}

int sasl_client_initial(struct sasl_client *x, struct buf *out, struct err *e)
{
	switch (x->mech) {
	case SASL_PLAIN:
		return sasl_plain(NULL, x->user, x->secret, out, e);
	case SASL_SCRAM_SHA_1:
	case SASL_SCRAM_SHA_256:
		return sasl_scram_client_first(&x->scram, x->user, x->test_nonce, out, e);
	case SASL_OAUTHBEARER:
		return sasl_oauthbearer(x->user, x->host, x->port, x->secret, out, e);
	case SASL_XOAUTH2:
		return sasl_xoauth2(x->user, x->secret, out, e);
	default:
		return 0;
	}
}

/* Keeps the (JSON) error an OAuth server sends, for the error message. */
static void keep_detail(struct sasl_client *x, const char *ch, size_t n)
{
	struct buf q;
	buf_init(&q, sizeof(x->detail) - 4);
	bool cut = sanitize_text(ch, n, SANITIZE_LINE, &q) < 0;
	snprintf(x->detail, sizeof(x->detail), "%s%s", q.data, cut ? "..." : "");
	buf_release(&q);
}

/* SCRAM's two challenges: server-first, then server-final (RFC 5802 s3;
 * the latter comes as a challenge in POP3 and IMAP, answered empty). */
static int scram_answer(struct sasl_client *x, unsigned round, const char *ch, size_t n,
			struct buf *out, struct err *e)
{
	if (round == 0) {
		if (sasl_scram_client_final(&x->scram, x->secret, ch, n, out, e) < 0)
			return -1;
		x->proof_sent = true;
		return 0;
	}
	if (sasl_scram_server_final(&x->scram, ch, n, e) < 0)
		return -1;
	x->verified = true;
	return 0;
}

int sasl_client_answer(struct sasl_client *x, const char *ch, size_t n, struct buf *out,
		       struct err *e)
{
	unsigned round = x->round++;
	switch (x->mech) {
	case SASL_LOGIN:
		if (round >= 2)
			break;
		x->proof_sent = round >= 1;
		return sasl_login(round, x->user, x->secret, out, e);
	case SASL_CRAM_MD5:
		if (round >= 1)
			break;
		x->proof_sent = true;
		return sasl_cram_md5(x->user, x->secret, ch, n, out, e);
	case SASL_SCRAM_SHA_1:
	case SASL_SCRAM_SHA_256:
		if (round >= 2)
			break;
		return scram_answer(x, round, ch, n, out, e);
	case SASL_OAUTHBEARER:
		/* RFC 7628 s3.2.3: an error challenge, answered with ^A. */
		if (round >= 1)
			break;
		keep_detail(x, ch, n);
		return buf_append_str(out, SASL_OAUTHBEARER_ABORT) < 0 ? -1 : 0;
	case SASL_XOAUTH2:
		if (round >= 1)
			break;
		keep_detail(x, ch, n);
		return 0; /* Google's error JSON: an empty answer */
	default:
		break;
	}
	return err_set(e, ERR_ACCOUNT, SASL_ERR_CHALLENGE,
		       _("%s: the server sent more challenges than the mechanism has"),
		       sasl_mech_name(x->mech));
}

bool sasl_client_success_ok(const struct sasl_client *x)
{
	return (x->mech != SASL_SCRAM_SHA_1 && x->mech != SASL_SCRAM_SHA_256) || x->verified;
}
