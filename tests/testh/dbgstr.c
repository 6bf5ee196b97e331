/* wine_dbgstr_*() output, which Wine tests print all the time. */
#include <windows.h>
#include "wine/test.h"

static const GUID guid = {0x12345678, 0x9abc, 0xdef0, {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}};

START_TEST(dbgstr)
{
    static const WCHAR wstr[] = {'a','\n','"','\\',0x1234,'\t','z',0};
    RECT rect = { -1, 2, 30, 40 };
    POINT pt = { 5, -6 };
    char longstr[400];

    memset( longstr, 'x', sizeof(longstr) - 1 );
    longstr[sizeof(longstr) - 1] = 0;

    trace("a: %s\n", wine_dbgstr_a("tab\there \"q\" \\ \x01\xff"));
    trace("an: %s\n", wine_dbgstr_an("abcdef", 3));
    trace("a null: %s, a int: %s\n", wine_dbgstr_a(NULL), wine_dbgstr_a((const char *)0x12));
    trace("w: %s\n", wine_dbgstr_w(wstr));
    trace("wn: %s\n", debugstr_wn(wstr, 1));
    trace("w null: %s\n", debugstr_w(NULL));
    trace("guid: %s %s %s\n", wine_dbgstr_guid(&guid), debugstr_guid(NULL),
          wine_dbgstr_guid((const GUID *)0x1234));
    trace("rect: %s point: %s\n", wine_dbgstr_rect(&rect), wine_dbgstr_point(&pt));
    trace("longlong: %s %s %s\n", wine_dbgstr_longlong(0), wine_dbgstr_longlong(0xabcdef),
          wine_dbgstr_longlong(((ULONGLONG)0x1 << 32) | 0x2));
    trace("long: %s\n", wine_dbgstr_a(longstr));
    /* 292 characters: one more than fits; like Wine, no "..." then */
    trace("292: %s\n", wine_dbgstr_an(longstr, 292));
    trace("291: %s\n", wine_dbgstr_an(longstr, 291));
    trace("293: %s\n", wine_dbgstr_an(longstr, 293));
    trace("sprintf: %s\n", wine_dbg_sprintf("%d-%s", 12, "ab"));
}
