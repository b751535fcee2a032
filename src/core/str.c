/* str.c - the out-of-line slice helpers of str.h. */
#include "str.h"

#include <limits.h>

sw_str sw_str_trim(sw_str s)
{
    while (s.n && (s.p[0] == ' ' || s.p[0] == '\t')) {
        s.p++;
        s.n--;
    }
    while (s.n && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t'))
        s.n--;
    return s;
}

bool sw_str_to_long(sw_str s, long min, long max, long *out)
{
    if (s.n == 0 || s.n > 20)
        return false;
    bool neg = false;
    size_t i = 0;
    if (s.p[0] == '-') {
        neg = true;
        i = 1;
        if (s.n == 1)
            return false;
    }
    long v = 0;           /* accumulated with its sign, so LONG_MIN fits */
    for (; i < s.n; i++) {
        char c = s.p[i];
        if (c < '0' || c > '9')
            return false;
        int d = c - '0';
        if (neg ? v < (LONG_MIN + d) / 10 : v > (LONG_MAX - d) / 10)
            return false;
        v = neg ? v * 10 - d : v * 10 + d;
    }
    if (v < min || v > max)
        return false;
    *out = v;
    return true;
}
