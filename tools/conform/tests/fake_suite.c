/*
 * fake_suite.exe: stands in for mallocspy_test.exe in the conform.exe tests.
 *
 *   fake_suite.exe --list     prints the test names (alloc, realloc, spy)
 *   fake_suite.exe TEST       prints DATA\SCENARIO\TEST.txt, where SCENARIO is
 *                             MALLOCSPY_IMPL without directory and ".dll" and
 *                             DATA is %FAKE_SUITE_DATA% (else DIR\data\suite
 *                             beside the exe); then
 *                               crashes (access violation) if TEST.crash exists,
 *                               hangs if TEST.hang exists,
 *                               else exits with the number of "Test failed" lines.
 *                             No SCENARIO directory: the load failure message.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

static const char *const tests[] = { "alloc", "realloc", "spy" };
static volatile int *volatile null_pointer;

static int exists(const char *path)
{
    return GetFileAttributesA(path) != INVALID_FILE_ATTRIBUTES;
}

int main(int argc, char **argv)
{
    char data[MAX_PATH], scenario[MAX_PATH], path[MAX_PATH], line[4096], *p;
    const char *impl = getenv("MALLOCSPY_IMPL"), *env = getenv("FAKE_SUITE_DATA");
    unsigned failures = 0;
    size_t i;
    FILE *f;

    if (argc < 2 || !strcmp(argv[1], "--list"))
    {
        printf("Usage: %s test_name\n\nValid test names:\n", argv[0]);
        for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) printf("    %s\n", tests[i]);
        return argc < 2;
    }
    if (!impl || !*impl) impl = "ole32.dll";
    if (env && *env) snprintf(data, sizeof(data), "%s", env);
    else
    {
        GetModuleFileNameA(NULL, data, sizeof(data));
        if ((p = strrchr(data, '\\'))) *p = 0;
        strcat(data, "\\data\\suite");
    }
    p = strrchr(impl, '\\');
    if (!p || (strrchr(impl, '/') && strrchr(impl, '/') > p)) p = strrchr(impl, '/');
    snprintf(scenario, sizeof(scenario), "%s", p ? p + 1 : impl);
    if ((p = strrchr(scenario, '.')) && !_stricmp(p, ".dll")) *p = 0;

    snprintf(path, sizeof(path), "%s\\%s", data, scenario);
    if (!exists(path))
    {
        printf("impl.c:37: Test failed: cannot load \"%s\": error 126\n", impl);
        printf("%04lx:%s: 1 tests executed (0 marked as todo, 0 as flaky, 1 failure), 0 skipped.\n",
               GetCurrentProcessId(), argv[1]);
        return 1;
    }
    snprintf(path, sizeof(path), "%s\\%s\\%s.txt", data, scenario, argv[1]);
    if ((f = fopen(path, "r")))
    {
        while (fgets(line, sizeof(line), f))
        {
            if (strstr(line, "Test failed")) failures++;
            fputs(line, stdout);
        }
        fclose(f);
    }
    fflush(stdout);
    snprintf(path, sizeof(path), "%s\\%s\\%s.crash", data, scenario, argv[1]);
    if (exists(path)) *null_pointer = 1;
    snprintf(path, sizeof(path), "%s\\%s\\%s.hang", data, scenario, argv[1]);
    if (exists(path)) Sleep(INFINITE);
    return failures > 255 ? 255 : failures;
}
