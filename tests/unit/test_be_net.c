/* be_net's sleep detection (be_net.h be_net_clock_slept): the clock that
 * counts a suspend running ahead of the one that does not, by more than
 * BE_NET_SLEPT_MS since the last look, means the system slept. */
#include "config.h"

#include "be_net.h"
#include "tap.h"

int main(void)
{
	struct be_net_clock c = { 0 };
	ok(!be_net_clock_slept(&c, 1000, 5000), "the first look sets the clocks: no sleep");
	ok(!be_net_clock_slept(&c, 61000, 65000), "a minute on both clocks: awake");
	ok(!be_net_clock_slept(&c, 62000, 66000 + BE_NET_SLEPT_MS),
	   "the boot clock ahead by exactly the margin: not yet");
	ok(be_net_clock_slept(&c, 63000, 67001 + 2 * BE_NET_SLEPT_MS),
	   "ahead by more than the margin since the last look: slept");
	ok(!be_net_clock_slept(&c, 64000, 68001 + 2 * BE_NET_SLEPT_MS),
	   "the next look measures from there: awake again");
	ok(be_net_clock_slept(&c, 65000, 69001 + 2 * BE_NET_SLEPT_MS + 3600000),
	   "an hour's sleep");
	struct be_net_clock now = { 0 };
	ok(!be_net_slept(&now) && !be_net_slept(&now), "the clocks of now: awake");
	return done_testing();
}
