/* test_sasl: the SASL mechanisms against their RFCs' examples. */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "err.h"
#include "sasl.h"
#include "tap.h"

/* RFC 5802 s5 */
#define S1_NONCE "fyko+d2lbbFgONRv9qkxdawL"
#define S1_SFIRST "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096"
#define S1_CFINAL "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="
#define S1_SFINAL "v=rmF9pqV8S7suAoZWja4dJRkFsKQ="
/* RFC 7677 s3 */
#define S256_NONCE "rOprNGfwEbeRWgbNEkqO"
#define S256_SFIRST "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0," \
	"s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
#define S256_CFINAL "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0," \
	"p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
#define S256_SFINAL "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="

static struct buf b64_out; /* what b64() returns points into it */

static const char *b64(const char *p, size_t n)
{
	buf_release(&b64_out);
	buf_init(&b64_out, 4096);
	if (sasl_b64_encode(p, n, &b64_out) < 0)
		return "(full)";
	return b64_out.data;
}

static void test_base64(void)
{
	struct buf b;
	buf_init(&b, 100);
	is_str(b64("", 0), "", "base64 of nothing is empty");
	is_str(b64("f", 1), "Zg==", "base64 pads one byte with ==");
	is_str(b64("fo", 2), "Zm8=", "base64 pads two bytes with =");
	is_str(b64("foobar", 6), "Zm9vYmFy", "base64 of six bytes has no pad");
	ok(sasl_b64_decode("Zm9vYg==", 8, &b) == 0 && b.len == 4 &&
	   memcmp(b.data, "foob", 4) == 0, "base64 decodes a padded string");
	static const char *const bad[][2] = {
		{ "Zg=", "a length not a multiple of 4" },
		{ "=AAA", "a leading pad" },
		{ "AAA=BBBB", "a pad in the middle" },
		{ "Zm 9", "a space" },
		{ "Zg=A", "a character after the pad" },
		{ "Z===", "three pad characters" },
		{ "Zm\r\n", "a line break" },
		{ "Zm9*", "a character outside the alphabet" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf_reset(&b);
		ok(sasl_b64_decode(bad[i][0], strlen(bad[i][0]), &b) < 0,
		   "base64 refuses %s (RFC 5034 s4)", bad[i][1]);
	}
	struct buf small;
	buf_init(&small, 2);
	ok(sasl_b64_decode("Zm9v", 4, &small) < 0, "base64 decode stops at the buffer maximum");
	buf_release(&small);
	buf_release(&b);
}

static void test_names(void)
{
	is_int(sasl_mech_from_name("scram-sha-256", 13), SASL_SCRAM_SHA_256,
	       "mechanism names are case-insensitive");
	is_int(sasl_mech_from_name("SCRAM-SHA-1-PLUS", 16), SASL_NONE,
	       "an unknown mechanism is SASL_NONE");
	is_str(sasl_mech_name(SASL_CRAM_MD5), "CRAM-MD5", "CRAM-MD5 has its registered name");
	ok(sasl_mech_reveals_secret(SASL_PLAIN) && sasl_mech_reveals_secret(SASL_XOAUTH2) &&
	   !sasl_mech_reveals_secret(SASL_SCRAM_SHA_1) && !sasl_mech_reveals_secret(SASL_CRAM_MD5),
	   "PLAIN and tokens reveal the secret, SCRAM and CRAM-MD5 do not");
}

static void test_plain_login_cram(void)
{
	struct buf b;
	struct err e;
	buf_init(&b, 4096);
	err_init(&e);
	ok(sasl_plain(NULL, "tim", "tanstaaftanstaaf", &b, &e) == 0 && b.len == 21 &&
	   memcmp(b.data, "\0tim\0tanstaaftanstaaf", 21) == 0,
	   "PLAIN builds the RFC 4616 example message");
	is_str(b64(b.data, b.len), "AHRpbQB0YW5zdGFhZnRhbnN0YWFm", "PLAIN's example encodes as expected");
	buf_reset(&b);
	ok(sasl_plain("Ursel", "Kurt", "xipj3plmq", &b, &e) == 0 && b.len == 20 &&
	   memcmp(b.data, "Ursel\0Kurt\0xipj3plmq", 20) == 0,
	   "PLAIN puts an authorisation identity first");
	buf_reset(&b);
	ok(sasl_plain(NULL, "tim", "", &b, &e) < 0 && e.code == SASL_ERR_PREP,
	   "PLAIN refuses an empty password");

	buf_reset(&b);
	ok(sasl_login(0, "tim", "pw", &b, &e) == 0 && strcmp(b.data, "tim") == 0,
	   "LOGIN answers the first prompt with the user name");
	buf_reset(&b);
	ok(sasl_login(1, "tim", "pw", &b, &e) == 0 && strcmp(b.data, "pw") == 0,
	   "LOGIN answers the second prompt with the password");
	ok(sasl_login(2, "tim", "pw", &b, &e) < 0, "LOGIN has no third step");

	const char ch[] = "<1896.697170952@postoffice.reston.mci.net>";
	buf_reset(&b);
	ok(sasl_cram_md5("tim", "tanstaaftanstaaf", ch, strlen(ch), &b, &e) == 0,
	   "CRAM-MD5 answers the RFC 2195 challenge");
	is_str(b.data, "tim b913a602c7eda7a495b4e6e7334d3890", "CRAM-MD5 gives the RFC 2195 digest");
	is_str(b64(b.data, b.len), "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw",
	       "CRAM-MD5 response encodes as in RFC 2195");
	buf_release(&b);
}

static void test_oauth(void)
{
	struct buf b;
	struct err e;
	buf_init(&b, 4096);
	err_init(&e);
	ok(sasl_oauthbearer("user@example.com", "server.example.com", 143,
			    "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==", &b, &e) == 0,
	   "OAUTHBEARER builds the RFC 7628 s4.1 message");
	is_str(b64(b.data, b.len),
	       "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB",
	       "OAUTHBEARER encodes as in RFC 7628 s4.1");
	buf_reset(&b);
	ok(sasl_oauthbearer("a,b=c", NULL, 0, "tok", &b, &e) == 0 &&
	   b.len == strlen("n,a=a=2Cb=3Dc,\x01" "auth=Bearer tok\x01\x01") &&
	   memcmp(b.data, "n,a=a=2Cb=3Dc,\x01" "auth=Bearer tok\x01\x01", b.len) == 0,
	   "OAUTHBEARER escapes ',' and '=' in the user and leaves out host and port");
	buf_reset(&b);
	ok(sasl_xoauth2("someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg", &b, &e) == 0,
	   "XOAUTH2 builds its message");
	is_str(b64(b.data, b.len),
	       "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2cBAQ==",
	       "XOAUTH2 encodes as in Google's example");
	buf_reset(&b);
	ok(sasl_xoauth2("u", "tok\r\nQUIT", &b, &e) < 0 && e.code == SASL_ERR_PREP,
	   "XOAUTH2 refuses a token with a line break");
	ok(sasl_oauthbearer("u", NULL, 0, "a b", &b, &e) < 0, "OAUTHBEARER refuses a token with a space");
	ok(sasl_xoauth2("u\x01x", "tok", &b, &e) < 0, "XOAUTH2 refuses ^A in the user name");
	buf_release(&b);
}

/* Runs a whole SCRAM exchange against an RFC example. */
static void scram_vector(enum sasl_mech mech, const char *nonce, const char *sfirst,
			 const char *cfinal, const char *sfinal, const char *name)
{
	struct sasl_scram s;
	struct buf b;
	struct err e;
	buf_init(&b, 4096);
	err_init(&e);
	sasl_scram_init(&s, mech, 0, 0);
	ok(sasl_scram_client_first(&s, "user", nonce, &b, &e) == 0,
	   "%s: client-first built", name);
	char want[128];
	snprintf(want, sizeof(want), "n,,n=user,r=%s", nonce);
	is_str(b.data, want, "%s: client-first as in the RFC", name);
	buf_reset(&b);
	ok(sasl_scram_client_final(&s, "pencil", sfirst, strlen(sfirst), &b, &e) == 0,
	   "%s: server-first accepted", name);
	is_str(b.data, cfinal, "%s: client-final carries the RFC's proof", name);
	ok(sasl_scram_server_final(&s, sfinal, strlen(sfinal), &e) == 0,
	   "%s: the server's signature verifies", name);
	is_int(s.step, SASL_SCRAM_VERIFIED, "%s: exchange ends verified", name);
	sasl_scram_release(&s);

	/* The same with one bit of the server signature changed. */
	char forged[128];
	snprintf(forged, sizeof(forged), "%s", sfinal);
	forged[3] = forged[3] == 'A' ? 'B' : 'A';
	sasl_scram_init(&s, mech, 0, 0);
	buf_reset(&b);
	buf_cut_ok(sasl_scram_client_first(&s, "user", nonce, &b, &e));
	buf_reset(&b);
	buf_cut_ok(sasl_scram_client_final(&s, "pencil", sfirst, strlen(sfirst), &b, &e));
	err_init(&e);
	ok(sasl_scram_server_final(&s, forged, strlen(forged), &e) < 0 &&
	   e.code == SASL_ERR_SERVER_PROOF, "%s: a wrong server signature is refused", name);
	ok(strstr(e.msg, "pencil") == NULL, "%s: the error does not contain the password", name);
	sasl_scram_release(&s);
	buf_release(&b);
}

/* Runs client_final on a server-first message; returns the err code. */
static int scram_first_code(const char *sfirst, unsigned long iter_min)
{
	struct sasl_scram s;
	struct buf b;
	struct err e;
	buf_init(&b, 4096);
	err_init(&e);
	sasl_scram_init(&s, SASL_SCRAM_SHA_1, iter_min, 0);
	buf_cut_ok(sasl_scram_client_first(&s, "user", S1_NONCE, &b, &e));
	int rc = sasl_scram_client_final(&s, "pencil", sfirst, strlen(sfirst), &b, &e);
	sasl_scram_release(&s);
	buf_release(&b);
	return rc == 0 ? 0 : (int)e.code;
}

static void test_scram_hostile(void)
{
	is_int(scram_first_code("r=OTHERNONCE3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096", 0),
	       SASL_ERR_CHALLENGE, "SCRAM refuses a server nonce that does not extend ours");
	is_int(scram_first_code("r=" S1_NONCE ",s=QSXCR+Q6sek8bf92,i=4096", 0),
	       SASL_ERR_CHALLENGE, "SCRAM refuses a server nonce that adds nothing");
	is_int(scram_first_code("m=ext,r=" S1_NONCE "x,s=QSXCR+Q6sek8bf92,i=4096", 0),
	       SASL_ERR_CHALLENGE, "SCRAM refuses a mandatory extension");
	is_int(scram_first_code("r=" S1_NONCE "x,s=QSXCR+Q6sek8bf92,i=1", 0),
	       SASL_ERR_ITERATIONS, "SCRAM refuses 1 iteration (downgrade)");
	is_int(scram_first_code("r=" S1_NONCE "x,s=QSXCR+Q6sek8bf92,i=99999999999", 0),
	       SASL_ERR_ITERATIONS, "SCRAM refuses a huge iteration count");
	is_int(scram_first_code("r=" S1_NONCE "x,s=QSXCR+Q6sek8bf92,i=0", 1),
	       SASL_ERR_CHALLENGE, "SCRAM refuses iteration count 0");
	is_int(scram_first_code("r=" S1_NONCE "x,s=QSX*,i=4096", 0),
	       SASL_ERR_CHALLENGE, "SCRAM refuses a salt that is not base64");
	is_int(scram_first_code("r=" S1_NONCE "x,i=4096,s=QSXCR+Q6sek8bf92", 0),
	       SASL_ERR_CHALLENGE, "SCRAM refuses attributes out of order");
	is_int(scram_first_code("r=" S1_NONCE "x,s=QSXCR+Q6sek8bf92", 0),
	       SASL_ERR_CHALLENGE, "SCRAM refuses a missing iteration count");
	is_int(scram_first_code("r=" S1_NONCE "x,s=QSXCR+Q6sek8bf92,i=16,z=ext", 16),
	       0, "SCRAM ignores optional extensions after the iteration count");

	struct sasl_scram s;
	struct buf b;
	struct err e;
	buf_init(&b, 4096);
	err_init(&e);
	sasl_scram_init(&s, SASL_SCRAM_SHA_1, 0, 0);
	buf_cut_ok(sasl_scram_client_first(&s, "user", S1_NONCE, &b, &e));
	buf_cut_ok(sasl_scram_client_final(&s, "pencil", S1_SFIRST, strlen(S1_SFIRST), &b, &e));
	ok(sasl_scram_server_final(&s, "e=invalid-proof\x1b[31m", 20, &e) < 0 &&
	   e.code == SASL_ERR_SERVER && strstr(e.msg, "invalid-proof") != NULL &&
	   strchr(e.msg, '\x1b') == NULL,
	   "SCRAM reports the server's e= reason, sanitised");
	sasl_scram_release(&s);

	sasl_scram_init(&s, SASL_SCRAM_SHA_256, 0, 0);
	buf_reset(&b);
	ok(sasl_scram_client_first(&s, "us,er=", NULL, &b, &e) == 0 &&
	   strncmp(b.data, "n,,n=us=2Cer=3D,r=", 18) == 0 && b.len == 18 + 24,
	   "SCRAM escapes the user name and makes a 24-character random nonce");
	sasl_scram_release(&s);
	sasl_scram_init(&s, SASL_SCRAM_SHA_256, 0, 0);
	ok(sasl_scram_client_first(&s, "j\xc3\xb6rg", NULL, &b, &e) < 0 && e.code == SASL_ERR_PREP,
	   "SCRAM refuses a non-ASCII user name it cannot SASLprep");
	sasl_scram_release(&s);
	ok(sasl_prep_ok("pen cil~") && !sasl_prep_ok("tab\there") && !sasl_prep_ok("") &&
	   !sasl_prep_ok("\xc3\xa9"), "the SASLprep subset is printable ASCII");
	buf_release(&b);
}

int main(void)
{
	buf_init(&b64_out, 4096);
	test_base64();
	test_names();
	test_plain_login_cram();
	test_oauth();
	scram_vector(SASL_SCRAM_SHA_1, S1_NONCE, S1_SFIRST, S1_CFINAL, S1_SFINAL,
		     "SCRAM-SHA-1 (RFC 5802 s5)");
	scram_vector(SASL_SCRAM_SHA_256, S256_NONCE, S256_SFIRST, S256_CFINAL, S256_SFINAL,
		     "SCRAM-SHA-256 (RFC 7677 s3)");
	test_scram_hostile();
	buf_release(&b64_out);
	return done_testing();
}
