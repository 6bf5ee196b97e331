/*
 * wine/test.h for mallocspy: a small unit-test framework whose API and
 * output follow Wine's include/wine/test.h, so that a test written for
 * Wine's tree builds against this header unchanged.  Written from scratch
 * for mallocspy; only the observable behaviour mirrors Wine's.
 *
 * Layout (as in Wine):
 *  - the first part (macros, inline functions) is compiled into every
 *    test source file;
 *  - the part under "#ifdef STANDALONE" holds main() and the global state.
 *    It is compiled once per executable: either by the generated testlist.c
 *    (which defines STANDALONE, includes this file and defines
 *    winetest_testlist[]), or by a single-file test built with
 *    -DSTANDALONE, where START_TEST() itself defines winetest_testlist[].
 *
 * Output goes to stdout.  Each message is assembled in a per-thread buffer
 * and written with one fwrite() while holding a print lock, so lines from
 * several threads (or child processes) never mix.
 */

#ifndef __WINE_WINE_TEST_H
#define __WINE_WINE_TEST_H

#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <io.h>
#include <windef.h>
#include <winbase.h>

#ifndef INVALID_FILE_ATTRIBUTES
#define INVALID_FILE_ATTRIBUTES  (~0u)
#endif
#ifndef INVALID_SET_FILE_POINTER
#define INVALID_SET_FILE_POINTER (~0u)
#endif

#ifndef ARRAY_SIZE
# define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))
#endif

/* Format checking.  mingw-w64 tells us which printf flavour its stdio
 * implements (gnu_printf with __USE_MINGW_ANSI_STDIO, ms_printf otherwise);
 * our formatting goes through that same stdio, so check against it. */
#ifndef __WINE_PRINTF_ATTR
# if defined(__GNUC__) && defined(__MINGW_PRINTF_FORMAT)
#  define __WINE_PRINTF_ATTR(fmt,args) __attribute__((format(__MINGW_PRINTF_FORMAT,fmt,args)))
# elif defined(__GNUC__)
#  define __WINE_PRINTF_ATTR(fmt,args) __attribute__((format(printf,fmt,args)))
# else
#  define __WINE_PRINTF_ATTR(fmt,args)
# endif
#endif

/* ------------------------------------------------------------------ */
/* Global settings and counters (defined in the STANDALONE part).      */

extern int winetest_debug;               /* WINETEST_DEBUG, default 1 */
extern int winetest_time;                /* WINETEST_TIME: print elapsed time */
extern int winetest_start_time, winetest_last_time;
extern int winetest_interactive;         /* WINETEST_INTERACTIVE */
extern int winetest_report_flaky;        /* WINETEST_REPORT_FLAKY */
extern int winetest_report_success;      /* WINETEST_REPORT_SUCCESS */
extern int winetest_mute_threshold;      /* WINETEST_MUTE_THRESHOLD, default 42 */
extern const char *winetest_platform;    /* "windows" or "wine" */
extern int winetest_platform_is_wine;
extern int winetest_color;               /* WINETEST_COLOR: ANSI colours */

extern LONG winetest_successes;
extern LONG winetest_failures;
extern LONG winetest_flaky_failures;     /* failures inside a flaky block */
extern LONG winetest_skipped;
extern LONG winetest_todo_successes;     /* todo checks that failed, as expected */
extern LONG winetest_todo_failures;      /* todo checks that unexpectedly passed */
extern LONG winetest_muted_traces;
extern LONG winetest_muted_skipped;
extern LONG winetest_muted_todo_successes;

/* Per-thread state.  The first fields have Wine's names and meaning;
 * the out_* fields hold the message being assembled. */
struct winetest_thread_data
{
    const char *current_file;        /* file of the current check */
    int current_line;                /* line of the current check */
    unsigned int flaky_level;        /* one bit per nested flaky_if() */
    int flaky_do_loop;
    unsigned int todo_level;         /* one bit per nested todo_if() */
    int todo_do_loop;
    char *str_pos;                   /* next free byte in strings[] */
    char strings[2000];              /* ring buffer for wine_dbgstr_*() */
    char context[8][128];            /* winetest_push_context() prefixes */
    unsigned int context_count;      /* may exceed 8; extra ones are dropped */
    int condition;                   /* condition of the current ok() */
    int lock_depth;                  /* winetest_print_lock() nesting */
    char *out;                       /* message being assembled */
    size_t out_len, out_size;
};

extern struct winetest_thread_data *winetest_get_thread_data(void);
extern void winetest_print_lock(void);
extern void winetest_print_unlock(void);
extern int winetest_vprintf( const char *msg, va_list args );
extern int winetest_get_time(void);
extern const char *winetest_dbg_strdup( const char *str );

extern int winetest_get_mainargs( char ***pargv );
extern void winetest_wait_child_process( const PROCESS_INFORMATION *info );

#ifdef STANDALONE
#define START_TEST(name) \
  static void func_##name(void); \
  const struct test winetest_testlist[] = { { #name, func_##name }, { 0, 0 } }; \
  static void func_##name(void)
#else
#define START_TEST(name) void func_##name(void)
#endif

/* Every check macro first records __FILE__/__LINE__ in the thread data,
 * then calls the function with the caller's arguments.  The "? :" form
 * lets the caller's parenthesised argument list follow the macro. */
#ifdef WINETEST_NO_LINE_NUMBERS
# define winetest_line_(line) 0
#else
# define winetest_line_(line) (line)
#endif
#define subtest_(file, line)  (winetest_set_location(file, winetest_line_(line)), 0) ? (void)0 : winetest_subtest
#define ignore_exceptions_(file, line) (winetest_set_location(file, winetest_line_(line)), 0) ? (void)0 : winetest_ignore_exceptions
#define ok_(file, line)       (winetest_set_location(file, winetest_line_(line)), 0) ? (void)0 : winetest_ok
#define skip_(file, line)     (winetest_set_location(file, winetest_line_(line)), 0) ? (void)0 : winetest_skip
#define win_skip_(file, line) (winetest_set_location(file, winetest_line_(line)), 0) ? (void)0 : winetest_win_skip
#define trace_(file, line)    (winetest_set_location(file, winetest_line_(line)), 0) ? (void)0 : winetest_trace
#define wait_child_process_(file, line) (winetest_set_location(file, winetest_line_(line)), 0) ? (void)0 : winetest_wait_child_process

#define subtest            subtest_(__FILE__, __LINE__)
#define ignore_exceptions  ignore_exceptions_(__FILE__, __LINE__)
#define ok                 ok_(__FILE__, __LINE__)
#define skip               skip_(__FILE__, __LINE__)
#define win_skip           win_skip_(__FILE__, __LINE__)
#define trace              trace_(__FILE__, __LINE__)
#define wait_child_process wait_child_process_(__FILE__, __LINE__)

/* todo/flaky blocks: a for loop whose body runs exactly once, between a
 * start call (pushes one bit) and an end call (pops it). */
#define flaky_if(is_flaky) for (winetest_start_flaky(is_flaky); \
                                winetest_loop_flaky(); \
                                winetest_end_flaky())
#define flaky                   flaky_if(TRUE)
#define flaky_wine              flaky_if(winetest_platform_is_wine)
#define flaky_wine_if(is_flaky) flaky_if((is_flaky) && winetest_platform_is_wine)

#define todo_if(is_todo) for (winetest_start_todo(is_todo); \
                              winetest_loop_todo(); \
                              winetest_end_todo())
#define todo_wine               todo_if(winetest_platform_is_wine)
#define todo_wine_if(is_todo)   todo_if((is_todo) && winetest_platform_is_wine)

/* ------------------------------------------------------------------ */
/* Inline part, compiled into each test file.                          */

static inline void winetest_set_location( const char *file, int line )
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    const char *p;

    /* print only the base name, whatever the separator */
    if ((p = strrchr( file, '/' ))) file = p + 1;
    if ((p = strrchr( file, '\\' ))) file = p + 1;
    data->current_file = file;
    data->current_line = line;
}

static const char winetest_color_reset[]         = "\x1b[0m";
static const char winetest_color_dark_red[]      = "\x1b[31m";
static const char winetest_color_dark_purple[]   = "\x1b[35m";
static const char winetest_color_green[]         = "\x1b[32m";
static const char winetest_color_yellow[]        = "\x1b[33m";
static const char winetest_color_blue[]          = "\x1b[34m";
static const char winetest_color_bright_red[]    = "\x1b[1;91m";
static const char winetest_color_bright_purple[] = "\x1b[1;95m";

static inline int winetest_printf( const char *msg, ... ) __WINE_PRINTF_ATTR(1,2);
static inline int winetest_printf( const char *msg, ... )
{
    va_list args;
    int ret;

    va_start( args, msg );
    ret = winetest_vprintf( msg, args );
    va_end( args );
    return ret;
}

static inline void winetest_set_color( const char *color )
{
    if (winetest_color) winetest_printf( "%s", color );
}

/* "1.234" seconds since start when WINETEST_TIME is set, else "" */
static inline const char *winetest_elapsed( char *buffer )
{
    int now;

    if (!winetest_time) return "";
    winetest_last_time = now = winetest_get_time();
    sprintf( buffer, "%.3f", (now - winetest_start_time) / 1000.0 );
    return buffer;
}

/* "file.c:LINE: " then the message */
static inline void winetest_print_location( const char *msg, ... ) __WINE_PRINTF_ATTR(1,2);
static inline void winetest_print_location( const char *msg, ... )
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    char elapsed[64];
    va_list args;

    winetest_printf( "%s:%d:%s ", data->current_file, data->current_line,
                     winetest_elapsed( elapsed ) );
    va_start( args, msg );
    winetest_vprintf( msg, args );
    va_end( args );
}

/* "file.c:LINE: " + msgtype + one "ctx: " per pushed context */
static inline void winetest_print_context( const char *msgtype )
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    unsigned int i, count = data->context_count;

    if (count > ARRAY_SIZE(data->context)) count = ARRAY_SIZE(data->context);
    winetest_print_location( "%s", msgtype );
    for (i = 0; i < count; i++) winetest_printf( "%s: ", data->context[i] );
}

static inline void winetest_subtest( const char *name )
{
    winetest_print_lock();
    winetest_print_location( "Subtest %s\n", name );
    winetest_print_unlock();
}

static inline void winetest_ignore_exceptions( BOOL ignore )
{
    winetest_print_lock();
    winetest_print_location( "IgnoreExceptions=%d\n", ignore ? 1 : 0 );
    winetest_print_unlock();
}

/* A result that is wrong but accepted on Windows only. */
static inline int broken( int condition )
{
    return !winetest_platform_is_wine && condition;
}

/* Counts the messages printed from one source line; returns how many came
 * before this one.  Past winetest_mute_threshold, todos, skips and traces of
 * that line are counted but not printed.  Like Wine, the table is per
 * source file and indexed by line only; WINETEST_DEBUG > 1 disables it. */
static inline LONG winetest_add_line( void )
{
    static LONG line_counters[16384];
    struct winetest_thread_data *data;
    LONG count;

    if (winetest_debug > 1) return 0;
    data = winetest_get_thread_data();
    count = InterlockedIncrement( &line_counters[data->current_line % ARRAY_SIZE(line_counters)] ) - 1;
    if (count == winetest_mute_threshold)
    {
        winetest_print_lock();
        winetest_print_location( "Line has been silenced after %d occurrences\n",
                                 winetest_mute_threshold );
        winetest_print_unlock();
    }
    return count;
}

/* Records one check.  Returns 1 when the result is the expected one
 * (condition true, or false inside a todo block), else 0. */
static inline int winetest_vok( int condition, const char *msg, va_list args )
{
    struct winetest_thread_data *data = winetest_get_thread_data();

    if (data->todo_level && condition)
    {
        /* a todo that passes is an error: the todo should be removed */
        winetest_print_lock();
        if (data->flaky_level)
        {
            winetest_set_color( winetest_color_dark_purple );
            winetest_print_context( "Test succeeded inside flaky todo block: " );
            winetest_vprintf( msg, args );
            InterlockedIncrement( &winetest_flaky_failures );
        }
        else
        {
            winetest_set_color( winetest_color_dark_red );
            winetest_print_context( "Test succeeded inside todo block: " );
            winetest_vprintf( msg, args );
            InterlockedIncrement( &winetest_todo_failures );
        }
        winetest_set_color( winetest_color_reset );
        winetest_print_unlock();
        return 0;
    }
    if (data->todo_level)
    {
        /* expected failure; printed only with debug > 0, muted per line */
        if (!winetest_debug || winetest_add_line() < winetest_mute_threshold)
        {
            if (winetest_debug > 0)
            {
                winetest_print_lock();
                winetest_set_color( winetest_color_yellow );
                winetest_print_context( "Test marked todo: " );
                winetest_vprintf( msg, args );
                winetest_set_color( winetest_color_reset );
                winetest_print_unlock();
            }
            InterlockedIncrement( &winetest_todo_successes );
        }
        else InterlockedIncrement( &winetest_muted_todo_successes );
        return 1;
    }
    if (!condition)
    {
        winetest_print_lock();
        if (data->flaky_level)
        {
            winetest_set_color( winetest_color_bright_purple );
            winetest_print_context( "Test marked flaky: " );
            winetest_vprintf( msg, args );
            InterlockedIncrement( &winetest_flaky_failures );
        }
        else
        {
            winetest_set_color( winetest_color_bright_red );
            winetest_print_context( "Test failed: " );
            winetest_vprintf( msg, args );
            InterlockedIncrement( &winetest_failures );
        }
        winetest_set_color( winetest_color_reset );
        winetest_print_unlock();
        return 0;
    }
    /* plain success: silent unless asked for, or (with WINETEST_TIME)
     * as a heartbeat once a second */
    if (winetest_report_success ||
        (winetest_time && winetest_get_time() >= winetest_last_time + 1000))
    {
        winetest_print_lock();
        winetest_set_color( winetest_color_green );
        winetest_print_location( "Test succeeded\n" );
        winetest_set_color( winetest_color_reset );
        winetest_print_unlock();
    }
    InterlockedIncrement( &winetest_successes );
    return 1;
}

static inline void winetest_ok_( const char *msg, ... ) __WINE_PRINTF_ATTR(1,2);
static inline void winetest_ok_( const char *msg, ... )
{
    va_list args;

    va_start( args, msg );
    winetest_vok( winetest_get_thread_data()->condition, msg, args );
    va_end( args );
}

/* Stores the condition; says whether the message may be printed. */
static inline int winetest_should_log( int condition )
{
    struct winetest_thread_data *data = winetest_get_thread_data();

    data->condition = condition;
    return data->todo_level || !condition;
}

/* As in Wine, the message arguments are evaluated only when the message
 * can be printed: a passing ok() outside a todo block does not evaluate
 * them. */
#define winetest_ok(cond, ...) (winetest_should_log(cond) ? winetest_ok_(__VA_ARGS__) : winetest_ok_(NULL))

static inline void winetest_trace( const char *msg, ... ) __WINE_PRINTF_ATTR(1,2);
static inline void winetest_trace( const char *msg, ... )
{
    va_list args;

    if (!winetest_debug) return;
    if (winetest_add_line() >= winetest_mute_threshold)
    {
        InterlockedIncrement( &winetest_muted_traces );
        return;
    }
    winetest_print_lock();
    winetest_print_context( "" );
    va_start( args, msg );
    winetest_vprintf( msg, args );
    va_end( args );
    winetest_print_unlock();
}

static inline void winetest_vskip( const char *msg, va_list args )
{
    if (winetest_add_line() >= winetest_mute_threshold)
    {
        InterlockedIncrement( &winetest_muted_skipped );
        return;
    }
    winetest_print_lock();
    winetest_set_color( winetest_color_blue );
    winetest_print_context( "Tests skipped: " );
    winetest_vprintf( msg, args );
    winetest_set_color( winetest_color_reset );
    winetest_print_unlock();
    InterlockedIncrement( &winetest_skipped );
}

static inline void winetest_skip( const char *msg, ... ) __WINE_PRINTF_ATTR(1,2);
static inline void winetest_skip( const char *msg, ... )
{
    va_list args;

    va_start( args, msg );
    winetest_vskip( msg, args );
    va_end( args );
}

/* A skip that is acceptable on Windows only: on Wine it is a failure. */
static inline void winetest_win_skip( const char *msg, ... ) __WINE_PRINTF_ATTR(1,2);
static inline void winetest_win_skip( const char *msg, ... )
{
    va_list args;

    va_start( args, msg );
    if (!winetest_platform_is_wine) winetest_vskip( msg, args );
    else winetest_vok( 0, msg, args );
    va_end( args );
}

static inline void winetest_start_flaky( int is_flaky )
{
    struct winetest_thread_data *data = winetest_get_thread_data();

    data->flaky_level = (data->flaky_level << 1) | (is_flaky != 0);
    data->flaky_do_loop = 1;
}

static inline int winetest_loop_flaky( void )
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    int again = data->flaky_do_loop;

    data->flaky_do_loop = 0;
    return again;
}

static inline void winetest_end_flaky( void )
{
    winetest_get_thread_data()->flaky_level >>= 1;
}

static inline void winetest_start_todo( int is_todo )
{
    struct winetest_thread_data *data = winetest_get_thread_data();

    data->todo_level = (data->todo_level << 1) | (is_todo != 0);
    data->todo_do_loop = 1;
}

static inline int winetest_loop_todo( void )
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    int again = data->todo_do_loop;

    data->todo_do_loop = 0;
    return again;
}

static inline void winetest_end_todo( void )
{
    winetest_get_thread_data()->todo_level >>= 1;
}

/* Adds a "text: " prefix to the following messages of this thread.
 * Pair with winetest_pop_context().  At most 8 are shown. */
static inline void winetest_push_context( const char *fmt, ... ) __WINE_PRINTF_ATTR(1,2);
static inline void winetest_push_context( const char *fmt, ... )
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    va_list args;

    if (data->context_count < ARRAY_SIZE(data->context))
    {
        char *dst = data->context[data->context_count];

        va_start( args, fmt );
        vsnprintf( dst, sizeof(data->context[0]), fmt, args );
        va_end( args );
        dst[sizeof(data->context[0]) - 1] = 0;
    }
    data->context_count++;
}

static inline void winetest_pop_context( void )
{
    struct winetest_thread_data *data = winetest_get_thread_data();

    if (data->context_count) data->context_count--;
}

static inline LONG winetest_get_failures( void )
{
    return winetest_failures;
}

static inline void winetest_add_failures( LONG new_failures )
{
    while (new_failures-- > 0) InterlockedIncrement( &winetest_failures );
}

/* ------------------------------------------------------------------ */
/* Debug string helpers.  Wine's test.h gets these from wine/debug.h;  */
/* we have no such header, so the ones tests use are provided here,    */
/* with the same output.  Results live in a per-thread ring buffer.    */

#ifndef __WINE_WINE_DEBUG_H
#define __WINE_WINE_DEBUG_H

static inline const char *wine_dbg_sprintf( const char *format, ... ) __WINE_PRINTF_ATTR(1,2);
static inline const char *wine_dbg_sprintf( const char *format, ... )
{
    char buffer[200];
    va_list args;

    va_start( args, format );
    vsnprintf( buffer, sizeof(buffer), format, args );
    va_end( args );
    buffer[sizeof(buffer) - 1] = 0;
    return winetest_dbg_strdup( buffer );
}

static inline char winetest_hexdigit( unsigned int value )
{
    return "0123456789abcdef"[value & 0x0f];
}

/* Appends the escaped form of c (a character of a quoted string) to dst;
 * returns the new end.  digits: 2 for \xNN (narrow), 4 for \NNNN (wide). */
static inline char *winetest_escape_char( char *dst, unsigned int c, int digits )
{
    switch (c)
    {
    case '\n': *dst++ = '\\'; *dst++ = 'n'; return dst;
    case '\r': *dst++ = '\\'; *dst++ = 'r'; return dst;
    case '\t': *dst++ = '\\'; *dst++ = 't'; return dst;
    case '"':  *dst++ = '\\'; *dst++ = '"'; return dst;
    case '\\': *dst++ = '\\'; *dst++ = '\\'; return dst;
    }
    if (c >= ' ' && c < 127)
    {
        *dst++ = (char)c;
        return dst;
    }
    *dst++ = '\\';
    if (digits == 2)
    {
        *dst++ = 'x';
        *dst++ = winetest_hexdigit( c >> 4 );
        *dst++ = winetest_hexdigit( c );
        return dst;
    }
    *dst++ = winetest_hexdigit( c >> 12 );
    *dst++ = winetest_hexdigit( c >> 8 );
    *dst++ = winetest_hexdigit( c >> 4 );
    *dst++ = winetest_hexdigit( c );
    return dst;
}

/* "text" with C escapes; "..." appended when cut at about 300 bytes */
static inline const char *wine_dbgstr_an( const char *str, int n )
{
    char buffer[300], *dst = buffer;

    if (!str) return "(null)";
    if (!((ULONG_PTR)str >> 16)) return wine_dbg_sprintf( "#%04x", LOWORD(str) );
    if (IsBadStringPtrA( str, n )) return "(invalid)";
    if (n == -1) for (n = 0; str[n]; n++) ;
    *dst++ = '"';
    while (n > 0 && dst <= buffer + sizeof(buffer) - 9)
    {
        dst = winetest_escape_char( dst, (unsigned char)*str++, 2 );
        n--;
    }
    /* Wine counts the character where the buffer filled up as consumed,
     * so a string cut one character short gets no "..."; match it. */
    if (n > 0) n--;
    *dst++ = '"';
    if (n > 0)
    {
        *dst++ = '.'; *dst++ = '.'; *dst++ = '.';
    }
    *dst = 0;
    return winetest_dbg_strdup( buffer );
}

/* L"text", non-ASCII characters as \xxxx */
static inline const char *wine_dbgstr_wn( const WCHAR *str, int n )
{
    char buffer[300], *dst = buffer;

    if (!str) return "(null)";
    if (!((ULONG_PTR)str >> 16)) return wine_dbg_sprintf( "#%04x", LOWORD(str) );
    if (IsBadStringPtrW( str, n )) return "(invalid)";
    if (n == -1) for (n = 0; str[n]; n++) ;
    *dst++ = 'L';
    *dst++ = '"';
    while (n > 0 && dst <= buffer + sizeof(buffer) - 10)
    {
        dst = winetest_escape_char( dst, *str++, 4 );
        n--;
    }
    /* Wine counts the character where the buffer filled up as consumed,
     * so a string cut one character short gets no "..."; match it. */
    if (n > 0) n--;
    *dst++ = '"';
    if (n > 0)
    {
        *dst++ = '.'; *dst++ = '.'; *dst++ = '.';
    }
    *dst = 0;
    return winetest_dbg_strdup( buffer );
}

static inline const char *wine_dbgstr_a( const char *s ) { return wine_dbgstr_an( s, -1 ); }
static inline const char *wine_dbgstr_w( const WCHAR *s ) { return wine_dbgstr_wn( s, -1 ); }

static inline const char *wine_dbgstr_guid( const GUID *id )
{
    if (!id) return "(null)";
    if (!((ULONG_PTR)id >> 16)) return wine_dbg_sprintf( "<guid-0x%04x>", (unsigned int)(WORD)(ULONG_PTR)id );
    return wine_dbg_sprintf( "{%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}",
                             (unsigned int)id->Data1, id->Data2, id->Data3,
                             id->Data4[0], id->Data4[1], id->Data4[2], id->Data4[3],
                             id->Data4[4], id->Data4[5], id->Data4[6], id->Data4[7] );
}

static inline const char *wine_dbgstr_point( const POINT *pt )
{
    if (!pt) return "(null)";
    return wine_dbg_sprintf( "(%d,%d)", (int)pt->x, (int)pt->y );
}

static inline const char *wine_dbgstr_rect( const RECT *rect )
{
    if (!rect) return "(null)";
    return wine_dbg_sprintf( "(%d,%d)-(%d,%d)", (int)rect->left, (int)rect->top,
                             (int)rect->right, (int)rect->bottom );
}

/* hex without leading zeros, e.g. "1ffffffff" */
static inline const char *wine_dbgstr_longlong( ULONGLONG ll )
{
    if (ll >> 32)
        return wine_dbg_sprintf( "%lx%08lx", (unsigned long)(ll >> 32), (unsigned long)(ll & 0xffffffff) );
    return wine_dbg_sprintf( "%lx", (unsigned long)ll );
}

#define debugstr_a(s)      wine_dbgstr_a(s)
#define debugstr_an(s, n)  wine_dbgstr_an(s, n)
#define debugstr_w(s)      wine_dbgstr_w(s)
#define debugstr_wn(s, n)  wine_dbgstr_wn(s, n)
#define debugstr_guid(id)  wine_dbgstr_guid(id)

#endif  /* __WINE_WINE_DEBUG_H */


/************************************************************************/
/* The STANDALONE part: main() and the global state, compiled once per  */
/* executable (generated testlist.c, or a single-file test).            */

#ifdef STANDALONE

#include <windows.h>  /* for GetConsoleMode() (WINETEST_COLOR); testlist.c may include only us */

struct test
{
    const char *name;
    void (*func)(void);
};

extern const struct test winetest_testlist[];

int winetest_debug = 1;
int winetest_time = 0;
int winetest_start_time, winetest_last_time;
int winetest_interactive = 0;
const char *winetest_platform = "windows";
int winetest_platform_is_wine = 0;
int winetest_report_flaky = 0;
int winetest_report_success = 0;
int winetest_mute_threshold = 42;
int winetest_color = 0;

LONG winetest_successes = 0;
LONG winetest_failures = 0;
LONG winetest_flaky_failures = 0;
LONG winetest_skipped = 0;
LONG winetest_todo_successes = 0;
LONG winetest_todo_failures = 0;
LONG winetest_muted_traces = 0;
LONG winetest_muted_skipped = 0;
LONG winetest_muted_todo_successes = 0;

static int winetest_argc;
static char **winetest_argv;
static const struct test *winetest_current_test;

/* Named, as in Wine, so that child processes started by a test share it
 * and their lines do not mix with ours either. */
static HANDLE winetest_mutex;

static DWORD winetest_tls_index = TLS_OUT_OF_INDEXES;

struct winetest_thread_data *winetest_get_thread_data(void)
{
    /* static storage for the rare case we run out of memory, so that
     * callers never see NULL */
    static struct winetest_thread_data fallback;
    struct winetest_thread_data *data;
    DWORD last_error = GetLastError();  /* tests check GetLastError() after ok() */

    if (winetest_tls_index == TLS_OUT_OF_INDEXES) winetest_tls_index = TlsAlloc();
    data = TlsGetValue( winetest_tls_index );
    if (!data)
    {
        data = HeapAlloc( GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*data) );
        if (!data) data = &fallback;
        data->str_pos = data->strings;
        TlsSetValue( winetest_tls_index, data );
    }
    SetLastError( last_error );
    return data;
}

/* Copies str into the thread's ring buffer for wine_dbgstr_*(). */
const char *winetest_dbg_strdup( const char *str )
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    size_t size = strlen( str ) + 1;
    char *res;

    if (size > sizeof(data->strings)) return "(too long)";
    if (data->str_pos + size > data->strings + sizeof(data->strings))
        data->str_pos = data->strings;
    res = data->str_pos;
    memcpy( res, str, size );
    data->str_pos += size;
    return res;
}

/* Makes room for size more bytes in the thread's output buffer. */
static int winetest_reserve( struct winetest_thread_data *data, size_t size )
{
    size_t new_size;
    char *p;

    if (data->out_len + size <= data->out_size) return 1;
    new_size = data->out_size ? data->out_size : 256;
    while (new_size < data->out_len + size) new_size *= 2;
    if (data->out) p = HeapReAlloc( GetProcessHeap(), 0, data->out, new_size );
    else p = HeapAlloc( GetProcessHeap(), 0, new_size );
    if (!p) return 0;
    data->out = p;
    data->out_size = new_size;
    return 1;
}

static void winetest_write_out( struct winetest_thread_data *data )
{
    if (data->out_len) fwrite( data->out, 1, data->out_len, stdout );
    data->out_len = 0;
}

/* Takes the print lock; output until the matching unlock is collected
 * and written at once. */
void winetest_print_lock(void)
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    DWORD ret;

    if (winetest_mutex)
    {
        ret = WaitForSingleObject( winetest_mutex, 30000 );
        if (ret != WAIT_OBJECT_0 && ret != WAIT_ABANDONED)
        {
            /* carry on unlocked rather than hang the test */
            winetest_mutex = 0;
            winetest_print_location( "could not get the print lock: %u\n", (unsigned int)ret );
        }
    }
    data->lock_depth++;
}

void winetest_print_unlock(void)
{
    struct winetest_thread_data *data = winetest_get_thread_data();

    if (data->lock_depth > 0 && --data->lock_depth == 0) winetest_write_out( data );
    if (winetest_mutex) ReleaseMutex( winetest_mutex );
}

/* Appends to the thread's message; written at once when not locked. */
int winetest_vprintf( const char *msg, va_list args )
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    va_list copy;
    int len;

    va_copy( copy, args );
    len = vsnprintf( NULL, 0, msg, copy );
    va_end( copy );
    if (len < 0) return len;
    if (!winetest_reserve( data, len + 1 )) return -1;
    vsnprintf( data->out + data->out_len, len + 1, msg, args );
    data->out_len += len;
    if (!data->lock_depth) winetest_write_out( data );
    return len;
}

int winetest_get_time(void)
{
    return GetTickCount();
}

int winetest_get_mainargs( char ***pargv )
{
    *pargv = winetest_argv;
    return winetest_argc;
}

/* Waits for a child process started by the test and adds its failures
 * (its exit code) to ours. */
void winetest_wait_child_process( const PROCESS_INFORMATION *info )
{
    DWORD ret, exit_code;

    winetest_ok( info->hProcess != NULL, "No child process handle (CreateProcess failed?)\n" );
    if (!info->hProcess) return;

    ret = WaitForSingleObject( info->hProcess, 30000 );
    if (ret == WAIT_TIMEOUT)
    {
        winetest_ok( 0, "Timed out waiting for the child process\n" );
        return;
    }
    if (ret != WAIT_OBJECT_0)
    {
        winetest_ok( 0, "Could not wait for the child process: %d le=%u\n",
                     (int)ret, (unsigned int)GetLastError() );
        return;
    }
    GetExitCodeProcess( info->hProcess, &exit_code );
    if (exit_code > 255)
    {
        /* an exception code: the child crashed */
        winetest_print_lock();
        winetest_set_color( winetest_color_bright_red );
        winetest_print_location( "unhandled exception %08x in child process %04x\n",
                                 (unsigned int)exit_code, (unsigned int)info->dwProcessId );
        winetest_set_color( winetest_color_reset );
        winetest_print_unlock();
        InterlockedIncrement( &winetest_failures );
    }
    else if (exit_code)
    {
        winetest_print_lock();
        winetest_print_location( "%u failures in child process\n", (unsigned int)exit_code );
        winetest_print_unlock();
        while (exit_code-- > 0) InterlockedIncrement( &winetest_failures );
    }
    if (!CloseHandle( info->hProcess ))
        winetest_ok( 0, "failed to close process handle, error %u\n", (unsigned int)GetLastError() );
    CloseHandle( info->hThread );
}

static void winetest_exit_process( int code )
{
    fflush( stdout );
    ExitProcess( code );
}

/* Finds a test by name; "dir/name.c" also names test "name". */
static const struct test *winetest_find_test( const char *name )
{
    const struct test *test;
    const char *p;
    size_t len;

    if ((p = strrchr( name, '/' ))) name = p + 1;
    if ((p = strrchr( name, '\\' ))) name = p + 1;
    len = strlen( name );
    if (len > 2 && !strcmp( name + len - 2, ".c" )) len -= 2;

    for (test = winetest_testlist; test->name; test++)
        if (!strncmp( test->name, name, len ) && !test->name[len]) return test;
    return NULL;
}

static void winetest_list_tests(void)
{
    const struct test *test;

    printf( "Valid test names:\n" );
    for (test = winetest_testlist; test->name; test++) printf( "    %s\n", test->name );
}

/* Exit status: unexpected results, capped to fit a process exit code. */
static int winetest_status(void)
{
    LONG status = winetest_failures + winetest_todo_failures;

    if (winetest_report_flaky) status += winetest_flaky_failures;
    return status > 255 ? 255 : (int)status;
}

/* "PPPP:name: N tests executed (...)", printed only when debug > 0 */
static void winetest_print_summary(void)
{
    LONG failed = winetest_failures + winetest_todo_failures;
    LONG total = winetest_successes + winetest_failures + winetest_flaky_failures
                 + winetest_todo_successes + winetest_todo_failures;
    unsigned int pid = GetCurrentProcessId();
    char elapsed[64];

    if (!winetest_debug) return;
    winetest_print_lock();
    if (winetest_muted_todo_successes || winetest_muted_skipped || winetest_muted_traces)
        winetest_printf( "%04x:%s:%s Silenced %d todos, %d skips and %d traces.\n",
                         pid, winetest_current_test->name, winetest_elapsed( elapsed ),
                         (int)winetest_muted_todo_successes, (int)winetest_muted_skipped,
                         (int)winetest_muted_traces );
    winetest_printf( "%04x:%s:%s %d tests executed (%d marked as todo, %d as flaky, %d %s), %d skipped.\n",
                     pid, winetest_current_test->name, winetest_elapsed( elapsed ),
                     (int)total, (int)winetest_todo_successes, (int)winetest_flaky_failures,
                     (int)failed, failed == 1 ? "failure" : "failures", (int)winetest_skipped );
    winetest_print_unlock();
}

static int winetest_run_test( const char *name )
{
    const struct test *test = winetest_find_test( name );

    if (!test)
    {
        printf( "Fatal: test '%s' does not exist.\n", name );
        winetest_exit_process( 1 );
    }
    winetest_current_test = test;
    test->func();
    winetest_print_summary();
    return winetest_status();
}

static void winetest_usage( const char *argv0 )
{
    printf( "Usage: %s test_name\n\n", argv0 );
    winetest_list_tests();
    winetest_exit_process( 1 );
}

/* Top-level filter for exceptions nobody handled, in any thread.  Prints
 * Wine's two lines (last check reached, exception code and address),
 * counts the crash as one failure, prints the summary and exits, so a
 * crash is never silent and never passes.  Wine lets the process die with
 * the exception code instead; we exit with the failure count (at least 1)
 * so the exit status keeps its one meaning. */
static LONG CALLBACK winetest_exception_filter( EXCEPTION_POINTERS *ptrs )
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    char elapsed[64];

    /* The exception may have hit while this thread was assembling a
     * message (e.g. a bad %s argument): drop that partial message.  The
     * print mutex, if held, is ours already, so locking again is safe. */
    data->out_len = 0;
    data->lock_depth = 0;

    winetest_print_lock();
    if (data->current_file)
        winetest_printf( "%s:%d: this is the last test seen before the exception\n",
                         data->current_file, data->current_line );
    winetest_set_color( winetest_color_bright_red );
    winetest_printf( "%04x:%s:%s unhandled exception %08x at %p\n",
                     (unsigned int)GetCurrentProcessId(),
                     winetest_current_test ? winetest_current_test->name : "",
                     winetest_elapsed( elapsed ),
                     (unsigned int)ptrs->ExceptionRecord->ExceptionCode,
                     ptrs->ExceptionRecord->ExceptionAddress );
    winetest_set_color( winetest_color_reset );
    winetest_print_unlock();

    InterlockedIncrement( &winetest_failures );
    if (winetest_current_test) winetest_print_summary();
    winetest_exit_process( winetest_status() );
    return EXCEPTION_EXECUTE_HANDLER;  /* not reached */
}

/* Wine's ntdll exports wine_server_call; Windows' does not. */
static BOOL winetest_running_under_wine(void)
{
    HMODULE module = GetModuleHandleA( "ntdll.dll" );

    return module && GetProcAddress( module, "wine_server_call" ) != NULL;
}

#ifndef ENABLE_VIRTUAL_TERMINAL_PROCESSING
#define ENABLE_VIRTUAL_TERMINAL_PROCESSING 0x0004
#endif

/* WINETEST_COLOR: a number, or "auto" for "if stdout is a terminal". */
static void winetest_init_color( const char *value )
{
    int automode = !strcmp( value, "auto" );
    HANDLE output;
    DWORD mode;

    winetest_color = automode ? isatty( fileno( stdout ) ) : atoi( value );
    if (!winetest_color) return;
    /* a Windows console needs VT processing switched on to honour escapes */
    output = (HANDLE)_get_osfhandle( fileno( stdout ) );
    if (GetConsoleMode( output, &mode ) &&
        !SetConsoleMode( output, mode | ENABLE_PROCESSED_OUTPUT | ENABLE_VIRTUAL_TERMINAL_PROCESSING ) &&
        automode)
        winetest_color = 0;
}

/* Reads an integer setting; leaves *value alone when the variable is unset. */
static void winetest_env_int( const char *name, int *value )
{
    char buffer[128];

    if (GetEnvironmentVariableA( name, buffer, sizeof(buffer) )) *value = atoi( buffer );
}

#ifdef __GNUC__
/* mingw's startup code calls _fpreset(), which would reset the x87
 * precision the system set up; Wine's harness skips it the same way so
 * floating-point results match the platform's. */
void _fpreset(void) {}
#endif

int main( int argc, char **argv )
{
    char buffer[128];

    /* unbuffered, so our output and the test's own printf()s stay in order
     * and nothing is lost if the process is killed */
    setvbuf( stdout, NULL, _IONBF, 0 );
    winetest_mutex = CreateMutexA( NULL, FALSE, "winetest_print_mutex" );
    if (winetest_tls_index == TLS_OUT_OF_INDEXES) winetest_tls_index = TlsAlloc();

    winetest_argc = argc;
    winetest_argv = argv;

    if (GetEnvironmentVariableA( "WINETEST_PLATFORM", buffer, sizeof(buffer) ))
        winetest_platform = strdup( buffer );
    else if (winetest_running_under_wine())
        winetest_platform = "wine";
    winetest_platform_is_wine = !strcmp( winetest_platform, "wine" );

    if (GetEnvironmentVariableA( "WINETEST_COLOR", buffer, sizeof(buffer) ))
        winetest_init_color( buffer );
    winetest_env_int( "WINETEST_DEBUG", &winetest_debug );
    winetest_env_int( "WINETEST_INTERACTIVE", &winetest_interactive );
    winetest_env_int( "WINETEST_MUTE_THRESHOLD", &winetest_mute_threshold );
    winetest_env_int( "WINETEST_REPORT_FLAKY", &winetest_report_flaky );
    winetest_env_int( "WINETEST_REPORT_SUCCESS", &winetest_report_success );
    winetest_env_int( "WINETEST_TIME", &winetest_time );
    winetest_last_time = winetest_start_time = winetest_get_time();

    /* Wine installs this on Windows only, leaving crashes under Wine to its
     * debugger; we want the same report everywhere. */
    SetUnhandledExceptionFilter( winetest_exception_filter );
    if (!winetest_interactive) SetErrorMode( SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX );

    if (!argv[1])
    {
        /* a single test runs without naming it */
        if (winetest_testlist[0].name && !winetest_testlist[1].name)
            return winetest_run_test( winetest_testlist[0].name );
        winetest_usage( argv[0] );
    }
    if (!strcmp( argv[1], "--list" ))
    {
        winetest_list_tests();
        return 0;
    }
    return winetest_run_test( argv[1] );
}

#endif  /* STANDALONE */

#endif  /* __WINE_WINE_TEST_H */
