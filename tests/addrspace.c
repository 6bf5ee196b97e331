/*
 * How much address space the process uses, to prove that memory was given
 * back without reading it (see mallocspy_test.h).
 */

#include "mallocspy_test.h"

SIZE_T address_space_in_use(void)
{
    MEMORY_BASIC_INFORMATION info;
    SYSTEM_INFO system;
    const BYTE *p;
    SIZE_T used = 0;

    GetSystemInfo(&system);
    p = system.lpMinimumApplicationAddress;
    while (p < (const BYTE *)system.lpMaximumApplicationAddress && VirtualQuery(p, &info, sizeof(info)))
    {
        if (info.State != MEM_FREE) used += info.RegionSize;
        if ((const BYTE *)info.BaseAddress + info.RegionSize <= p) break;   /* no progress: give up */
        p = (const BYTE *)info.BaseAddress + info.RegionSize;
    }
    return used;
}

BOOL check_no_leak_(const char *file, int line, SIZE_T before, const char *what)
{
    SIZE_T now = address_space_in_use(), limit = (SIZE_T)BIG_ROUNDS * BIG_BLOCK / 2;
    SIZE_T growth = now > before ? now - before : 0;

    ok_(file, line)(growth < limit, "%s: the address space grew by %s bytes over %u blocks of %u bytes, "
                    "expected less than %s (the blocks were not given back)\n", what, str_size(growth),
                    BIG_ROUNDS, BIG_BLOCK, str_size(limit));
    return growth < limit;
}

BOOL big_block_released(SIZE_T before)
{
    SIZE_T now = address_space_in_use();

    return now < before && before - now >= BIG_BLOCK / 2;
}
