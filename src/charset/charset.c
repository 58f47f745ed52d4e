#include "config.h"

#include "charset.h"

#include <errno.h>
#include <iconv.h>
#include <string.h>

#include "sanitize.h"

#define REPLACEMENT 0xFFFDu
#define KEY_MAX 40      /* longer labels are not charset names */
#define CHUNK 4096      /* iconv output per call */

/* How a label's bytes are read. */
enum decoder {
	DEC_SNIFF,      /* valid UTF-8 as UTF-8, else windows-1252 */
	DEC_UTF8,       /* UTF-8, invalid sequences replaced */
	DEC_WIN1252,    /* windows-1252, decoded here (see win1252_c1) */
	DEC_ICONV,      /* iconv(3) from the named charset */
};

struct alias {
	const char *key;  /* the label lower-cased, letters and digits only */
	enum decoder dec;
	const char *name; /* what charset_canonical() returns */
};

/* Labels real mail uses.  Choices that need a word:
 *   - iso-8859-1 and latin1 are read as windows-1252, as the WHATWG
 *     Encoding Standard does: bytes 0x80..0x9F in such mail are almost
 *     always Windows quotes and dashes, never C1 controls;
 *   - every Shift_JIS label is read as CP932: glibc's SHIFT_JIS turns a
 *     backslash into a yen sign and rejects the NEC and IBM extensions
 *     (circled digits, roman numerals) Japanese mail is full of;
 *   - GB2312 and GBK are read as GB18030, Big5 as Big5-HKSCS, EUC-KR and
 *     KS C 5601 as CP949, and ISO-2022-JP as ISO-2022-JP-2: each is a
 *     superset of what mail labelled with the older name contains (the
 *     last one decodes half-width katakana, ESC ( I). */
static const struct alias aliases[] = {
	{ "utf8", DEC_UTF8, "UTF-8" },
	{ "xutf8", DEC_UTF8, "UTF-8" },
	{ "unicode11utf8", DEC_UTF8, "UTF-8" },
	{ "unicode20utf8", DEC_UTF8, "UTF-8" },
	{ "xunicode20utf8", DEC_UTF8, "UTF-8" },
	{ "usascii", DEC_SNIFF, "US-ASCII" },
	{ "ascii", DEC_SNIFF, "US-ASCII" },
	{ "ansix341968", DEC_SNIFF, "US-ASCII" },
	{ "ansix341986", DEC_SNIFF, "US-ASCII" },
	{ "iso646us", DEC_SNIFF, "US-ASCII" },
	{ "csascii", DEC_SNIFF, "US-ASCII" },
	{ "cp367", DEC_SNIFF, "US-ASCII" },
	{ "ibm367", DEC_SNIFF, "US-ASCII" },
	{ "us", DEC_SNIFF, "US-ASCII" },
	{ "unknown", DEC_SNIFF, NULL },
	{ "xunknown", DEC_SNIFF, NULL },
	{ "unknown8bit", DEC_SNIFF, NULL },
	{ "xuserdefined", DEC_SNIFF, NULL },
	{ "8bit", DEC_SNIFF, NULL },
	{ "7bit", DEC_SNIFF, NULL },
	{ "latin1", DEC_WIN1252, "WINDOWS-1252" },
	{ "l1", DEC_WIN1252, "WINDOWS-1252" },
	{ "iso88591", DEC_WIN1252, "WINDOWS-1252" },
	{ "iso885911987", DEC_WIN1252, "WINDOWS-1252" },
	{ "isoir100", DEC_WIN1252, "WINDOWS-1252" },
	{ "csisolatin1", DEC_WIN1252, "WINDOWS-1252" },
	{ "cp819", DEC_WIN1252, "WINDOWS-1252" },
	{ "ibm819", DEC_WIN1252, "WINDOWS-1252" },
	{ "sjis", DEC_ICONV, "CP932" },
	{ "shiftjis", DEC_ICONV, "CP932" },
	{ "xsjis", DEC_ICONV, "CP932" },
	{ "xshiftjis", DEC_ICONV, "CP932" },
	{ "csshiftjis", DEC_ICONV, "CP932" },
	{ "mskanji", DEC_ICONV, "CP932" },
	{ "windows31j", DEC_ICONV, "CP932" },
	{ "cp932", DEC_ICONV, "CP932" },
	{ "ms932", DEC_ICONV, "CP932" },
	{ "xmscp932", DEC_ICONV, "CP932" },
	{ "euckr", DEC_ICONV, "CP949" },
	{ "xeuckr", DEC_ICONV, "CP949" },
	{ "cseuckr", DEC_ICONV, "CP949" },
	{ "ksc5601", DEC_ICONV, "CP949" },
	{ "ksc56011987", DEC_ICONV, "CP949" },
	{ "ksc56011989", DEC_ICONV, "CP949" },
	{ "csksc56011987", DEC_ICONV, "CP949" },
	{ "ksx1001", DEC_ICONV, "CP949" },
	{ "isoir149", DEC_ICONV, "CP949" },
	{ "korean", DEC_ICONV, "CP949" },
	{ "cp949", DEC_ICONV, "CP949" },
	{ "windows949", DEC_ICONV, "CP949" },
	{ "uhc", DEC_ICONV, "CP949" },
	{ "utf7", DEC_ICONV, "UTF-7" },
	{ "unicode11utf7", DEC_ICONV, "UTF-7" },
	{ "xunicode20utf7", DEC_ICONV, "UTF-7" },
	{ "csunicode11utf7", DEC_ICONV, "UTF-7" },
	{ "gb2312", DEC_ICONV, "GB18030" },
	{ "gb231280", DEC_ICONV, "GB18030" },
	{ "csgb2312", DEC_ICONV, "GB18030" },
	{ "isoir58", DEC_ICONV, "GB18030" },
	{ "chinese", DEC_ICONV, "GB18030" },
	{ "euccn", DEC_ICONV, "GB18030" },
	{ "xeuccn", DEC_ICONV, "GB18030" },
	{ "gbk", DEC_ICONV, "GB18030" },
	{ "xgbk", DEC_ICONV, "GB18030" },
	{ "cp936", DEC_ICONV, "GB18030" },
	{ "ms936", DEC_ICONV, "GB18030" },
	{ "windows936", DEC_ICONV, "GB18030" },
	{ "gb18030", DEC_ICONV, "GB18030" },
	{ "big5", DEC_ICONV, "BIG5-HKSCS" },
	{ "csbig5", DEC_ICONV, "BIG5-HKSCS" },
	{ "cnbig5", DEC_ICONV, "BIG5-HKSCS" },
	{ "xxbig5", DEC_ICONV, "BIG5-HKSCS" },
	{ "big5hkscs", DEC_ICONV, "BIG5-HKSCS" },
	{ "cp950", DEC_ICONV, "BIG5-HKSCS" },
	{ "iso2022jp", DEC_ICONV, "ISO-2022-JP-2" },
	{ "csiso2022jp", DEC_ICONV, "ISO-2022-JP-2" },
	{ "iso2022jp1", DEC_ICONV, "ISO-2022-JP-2" },
	{ "iso2022jp2", DEC_ICONV, "ISO-2022-JP-2" },
	{ "csiso2022jp2", DEC_ICONV, "ISO-2022-JP-2" },
	{ "eucjp", DEC_ICONV, "EUC-JP" },
	{ "xeucjp", DEC_ICONV, "EUC-JP" },
	{ "koi8r", DEC_ICONV, "KOI8-R" },
	{ "cskoi8r", DEC_ICONV, "KOI8-R" },
	{ "koi8", DEC_ICONV, "KOI8-R" },
	{ "koi8u", DEC_ICONV, "KOI8-U" },
	{ "koi8ru", DEC_ICONV, "KOI8-RU" },
	{ "iso88598i", DEC_ICONV, "ISO-8859-8" },
	{ "iso88598e", DEC_ICONV, "ISO-8859-8" },
	{ "iso88596i", DEC_ICONV, "ISO-8859-6" },
	{ "iso88596e", DEC_ICONV, "ISO-8859-6" },
	{ "tis620", DEC_ICONV, "WINDOWS-874" },
	{ "iso885911", DEC_ICONV, "WINDOWS-874" },
	{ "windows874", DEC_ICONV, "WINDOWS-874" },
	{ "cp874", DEC_ICONV, "WINDOWS-874" },
	{ "macintosh", DEC_ICONV, "MACINTOSH" },
	{ "mac", DEC_ICONV, "MACINTOSH" },
	{ "macroman", DEC_ICONV, "MACINTOSH" },
	{ "xmacroman", DEC_ICONV, "MACINTOSH" },
	{ "csmacintosh", DEC_ICONV, "MACINTOSH" },
};

static const char *const windows_125x[] = {
	"WINDOWS-1250", "WINDOWS-1251", "WINDOWS-1252", "WINDOWS-1253",
	"WINDOWS-1254", "WINDOWS-1255", "WINDOWS-1256", "WINDOWS-1257",
	"WINDOWS-1258",
};

static const char *const iso_8859[] = {
	NULL, NULL, "ISO-8859-2", "ISO-8859-3", "ISO-8859-4", "ISO-8859-5",
	"ISO-8859-6", "ISO-8859-7", "ISO-8859-8", "ISO-8859-9", "ISO-8859-10",
	"ISO-8859-11", NULL, "ISO-8859-13", "ISO-8859-14", "ISO-8859-15",
	"ISO-8859-16",
};

/* windows-1252 bytes 0x80..0x9F.  The five bytes Windows leaves undefined
 * (0x81, 0x8D, 0x8F, 0x90, 0x9D), which glibc's CP1252 rejects, become
 * U+FFFD: they are not text, and the C1 controls WHATWG maps them to would
 * only be replaced by sanitize_text() anyway. */
static const unsigned short win1252_c1[32] = {
	0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
	0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
};

/* ------------------------------------------------------------ labels */

/* Fills key with label lower-cased, keeping letters and digits only, so
 * that "ISO_8859-1", "iso-8859-1" and "iso8859-1" meet.  Returns -1 for a
 * label too long to be a charset name. */
static int label_key(const char *label, char key[KEY_MAX + 1])
{
	size_t n = 0;

	for (const char *p = label; *p != '\0'; p++) {
		char c = *p;
		if (p - label > 2 * KEY_MAX)
			return -1;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		else if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9'))
			continue;
		if (n == KEY_MAX)
			return -1;
		key[n++] = c;
	}
	key[n] = '\0';
	return 0;
}

/* windows-125N, cp125N, x-cp125N, win-125N. */
static const char *windows_name(const char *key)
{
	static const char *const prefixes[] = { "windows", "xcp", "cp", "win" };

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i]);
		const char *k = key + n;
		if (strncmp(key, prefixes[i], n) == 0 &&
		    strncmp(k, "125", 3) == 0 && k[3] >= '0' && k[3] <= '8' &&
		    k[4] == '\0')
			return windows_125x[k[3] - '0'];
	}
	return NULL;
}

/* iso-8859-N, iso8859-N, iso_8859-N for N in 2..16. */
static const char *iso_8859_name(const char *key)
{
	const char *k = key + 7;
	size_t digits;
	unsigned n;

	if (strncmp(key, "iso8859", 7) != 0)
		return NULL;
	digits = strspn(k, "0123456789");
	if (k[digits] != '\0' || digits < 1 || digits > 2 || k[0] == '0')
		return NULL;
	n = (unsigned)(k[0] - '0');
	if (digits == 2)
		n = n * 10 + (unsigned)(k[1] - '0');
	if (n >= sizeof(iso_8859) / sizeof(iso_8859[0]))
		return NULL;
	return iso_8859[n];
}

/* Whether a label may be handed to iconv_open(): a short name of plain
 * characters, never a path or a "//TRANSLIT"-style suffix. */
static bool label_is_plain(const char *label)
{
	size_t n = 0;

	for (const char *p = label; *p != '\0'; p++, n++) {
		char c = *p;
		if (n >= KEY_MAX)
			return false;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      c == '.' || c == ':' || c == '+'))
			return false;
	}
	return n > 0;
}

/* Decides how to read a label.  For DEC_ICONV, *name_r is the iconv name
 * to try first (the label itself when tern has no alias for it). */
static enum decoder resolve(const char *label, const char **name_r)
{
	char key[KEY_MAX + 1];

	*name_r = NULL;
	if (label == NULL || label[0] == '\0' || label_key(label, key) < 0 ||
	    key[0] == '\0')
		return DEC_SNIFF;
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		if (strcmp(key, aliases[i].key) == 0) {
			*name_r = aliases[i].name;
			return aliases[i].dec;
		}
	}
	if ((*name_r = windows_name(key)) != NULL)
		return strcmp(*name_r, "WINDOWS-1252") == 0 ? DEC_WIN1252 : DEC_ICONV;
	if ((*name_r = iso_8859_name(key)) != NULL)
		return DEC_ICONV;
	if (!label_is_plain(label))
		return DEC_SNIFF;
	*name_r = label;
	return DEC_ICONV;
}

/* Opens a converter to UTF-8 from name, or from name without an "x-"
 * prefix; returns (iconv_t)-1 if iconv knows neither.  *used_r tells which
 * name opened. */
static iconv_t open_to_utf8(const char *name, const char **used_r)
{
	iconv_t cd = iconv_open("UTF-8", name);

	*used_r = name;
	if (cd == (iconv_t)-1 && (name[0] == 'x' || name[0] == 'X') &&
	    name[1] == '-' && name[2] != '\0') {
		*used_r = name + 2;
		cd = iconv_open("UTF-8", name + 2);
	}
	return cd;
}

const char *charset_canonical(const char *label)
{
	const char *name;
	enum decoder dec = resolve(label, &name);

	if (dec == DEC_ICONV) {
		const char *used;
		iconv_t cd = open_to_utf8(name, &used);
		if (cd == (iconv_t)-1)
			return NULL;
		iconv_close(cd);
		return used;
	}
	return name;
}

/* ---------------------------------------------------------- appending */

/* Appends the valid UTF-8 text p[0..n); if it does not fit, appends the
 * longest prefix that ends on a character boundary and returns -1. */
static int append_fitting(struct buf *out, const char *p, size_t n)
{
	size_t room = out->max - out->len;

	if (n <= room)
		return buf_append(out, p, n);
	while (room > 0 && ((unsigned char)p[room] & 0xC0) == 0x80)
		room--;
	if (buf_append(out, p, room) < 0)
		return -1;
	errno = ENOSPC;
	return -1;
}

static int append_replacement(struct buf *out)
{
	return append_fitting(out, "\xEF\xBF\xBD", 3);
}

/* Appends p[0..n) read as UTF-8, each byte that does not start a valid
 * sequence (overlong forms and surrogates included) becoming U+FFFD. */
static int append_utf8(struct buf *out, const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t run = 0, i = 0;

	while (i < n) {
		unsigned cp;
		size_t k;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		k = utf8_decode(s + i, n - i, &cp);
		if (k > 1) {
			i += k;  /* a valid sequence of 2..4 bytes */
			continue;
		}
		if (append_fitting(out, p + run, i - run) < 0 ||
		    append_replacement(out) < 0)
			return -1;
		run = ++i;
	}
	return append_fitting(out, p + run, n - run);
}

static int append_win1252(struct buf *out, const char *p, size_t n)
{
	char chunk[CHUNK];
	size_t used = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned c = (unsigned char)p[i];
		if (used > CHUNK - 4) {
			if (append_fitting(out, chunk, used) < 0)
				return -1;
			used = 0;
		}
		if (c >= 0x80 && c < 0xA0)
			c = win1252_c1[c - 0x80];
		if (c < 0x80) {
			chunk[used++] = (char)c;
		} else if (c < 0x800) {
			chunk[used++] = (char)(0xC0 | (c >> 6));
			chunk[used++] = (char)(0x80 | (c & 0x3F));
		} else {
			chunk[used++] = (char)(0xE0 | (c >> 12));
			chunk[used++] = (char)(0x80 | ((c >> 6) & 0x3F));
			chunk[used++] = (char)(0x80 | (c & 0x3F));
		}
	}
	return append_fitting(out, chunk, used);
}

/* Runs the whole input through cd, handing iconv at most CHUNK bytes at a
 * time (so that a checker that looks at all the input iconv is given, as
 * AddressSanitizer's does, stays linear).  Every pass of the loop consumes
 * at least one byte or ends it, so time is linear in len whatever iconv
 * reports.  A fresh cd starts in the initial shift state, so each call of
 * charset_to_utf8() decodes a stateful charset from scratch. */
static int append_iconv(struct buf *out, iconv_t cd, const char *in, size_t len)
{
	char chunk[CHUNK];
	ICONV_CONST char *inp = (ICONV_CONST char *)in;
	size_t left = len;
	char *outp;
	size_t outleft;

	while (left > 0) {
		size_t window = left < CHUNK ? left : CHUNK;
		bool at_end = window == left;
		size_t winleft = window;
		outp = chunk;
		outleft = sizeof(chunk);
		size_t r = iconv(cd, &inp, &winleft, &outp, &outleft);
		int saved = errno;
		size_t used = window - winleft;
		left -= used;
		if (append_utf8(out, chunk, sizeof(chunk) - outleft) < 0)
			return -1;
		if (r != (size_t)-1)
			continue;
		if ((saved == E2BIG || (saved == EINVAL && !at_end)) && used > 0)
			continue;  /* output full, or a character crosses the window */
		if (append_replacement(out) < 0)
			return -1;
		if (saved == EINVAL && at_end)
			break;  /* a character cut off by the end of the input */
		inp++;          /* EILSEQ (or no progress): skip one byte */
		left--;
	}
	outp = chunk;
	outleft = sizeof(chunk);
	iconv(cd, NULL, NULL, &outp, &outleft);
	return append_utf8(out, chunk, sizeof(chunk) - outleft);
}

int charset_to_utf8(const char *charset, const char *in, size_t len,
		    struct buf *out)
{
	const char *name;
	enum decoder dec = resolve(charset, &name);

	if (len == 0)
		return 0;
	if (dec == DEC_ICONV) {
		const char *used;
		iconv_t cd = open_to_utf8(name, &used);
		if (cd != (iconv_t)-1) {
			int rc = append_iconv(out, cd, in, len);
			iconv_close(cd);
			return rc;
		}
		dec = DEC_SNIFF;
	}
	if (dec == DEC_SNIFF)
		dec = charset_is_utf8(in, len) ? DEC_UTF8 : DEC_WIN1252;
	if (dec == DEC_UTF8)
		return append_utf8(out, in, len);
	return append_win1252(out, in, len);
}

bool charset_is_utf8(const char *in, size_t len)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0;

	while (i < len) {
		unsigned cp;
		size_t k;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		k = utf8_decode(s + i, len - i, &cp);
		if (k == 1)
			return false;  /* a lead byte decodes to 2..4 bytes */
		i += k;
	}
	return true;
}
