/* i18n: the gettext macros.  Every string a person reads goes through _();
 * N_() marks a string for translation where it cannot be called (tables). */
#ifndef TERN_I18N_H
#define TERN_I18N_H

#include <libintl.h>

#define _(s) gettext(s)
#define N_(s) (s)

#endif
