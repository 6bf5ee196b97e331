# What the shell tools share.  Sourced, never run:
#     . "$(dirname "$0")/lib.sh"
# Plain POSIX sh; it only defines functions.

# on_windows: true when this shell runs on Windows (MSYS2, Cygwin), where
# Windows programs start directly, without Wine.
on_windows()
{
    case "$(uname -s)" in
    MINGW*|MSYS*|CYGWIN*) return 0 ;;
    *) return 1 ;;
    esac
}

# wpath PATH: PATH as a Windows program sees it (Wine maps / to Z:).
wpath()
{
    if on_windows; then
        cygpath -w "$1" 2>/dev/null || printf '%s' "$1"
    else
        printf 'Z:%s' "$1"
    fi
}

# wine_loader: the wine program to run Windows programs with ($WINE, else
# the first of wine and wine64 on PATH); nothing when there is none.
wine_loader()
{
    if [ -n "${WINE:-}" ]; then
        printf '%s\n' "$WINE"
    else
        command -v wine || command -v wine64
    fi
}

# wine_server: the wineserver that goes with it ($WINESERVER, else the one
# on PATH, else Debian's).
wine_server()
{
    if [ -n "${WINESERVER:-}" ]; then
        printf '%s\n' "$WINESERVER"
    else
        command -v wineserver || echo /usr/lib/wine/wineserver
    fi
}

# wine_version: Wine's version number, such as 8.0; nothing without Wine.
wine_version()
{
    "$(wine_loader)" --version 2>/dev/null | sed -n 's/^wine-\([0-9][0-9.]*\).*/\1/p'
}

# have_jsonschema: whether json_valid can run (python3-jsonschema).
have_jsonschema()
{
    [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import jsonschema' 2>/dev/null
}

# json_valid SCHEMA FILE: whether FILE is JSON that SCHEMA (JSON Schema
# draft-07, itself checked) accepts; when not, says why on stdout.
json_valid()
{
    /usr/bin/python3 - "$1" "$2" 2>&1 <<'PYTHON'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft7Validator.check_schema(schema)
jsonschema.validate(json.load(open(sys.argv[2])), schema)
PYTHON
}

# pe_machine FILE: the machine a PE image is built for (x86_64, i386,
# arm64), or nothing when FILE is no PE image.
pe_machine()
{
    _offset=$(od -An -t u4 -j 60 -N 4 "$1" 2>/dev/null | tr -d ' ')
    [ "$(od -An -c -N 2 "$1" 2>/dev/null | tr -d ' ')" = MZ ] && [ -n "$_offset" ] || return 0
    case $(od -An -t x2 -j $((_offset + 4)) -N 2 "$1" 2>/dev/null | tr -d ' ') in
    8664) echo x86_64 ;;
    014c) echo i386 ;;
    aa64) echo arm64 ;;
    esac
}

# wine_has_i386: whether this Wine can run 32-bit programs (Debian's
# wine32:i386 and its like: the 32-bit kernel32.dll is there).
wine_has_i386()
{
    _loader=$(wine_loader) || return 1
    for _dir in /usr/lib/i386-linux-gnu/wine /usr/lib/wine /usr/lib32/wine /usr/local/lib/wine \
                "$(dirname "$(readlink -f "$_loader")")/../lib/wine"; do
        [ -f "$_dir/i386-windows/kernel32.dll" ] && return 0
    done
    return 1
}

# no_i386_reason BUILDDIR: why the 32-bit programs of BUILDDIR cannot be
# run here; nothing when they can.
no_i386_reason()
{
    if [ ! -f "$1/tests/i386/mallocspy_test.exe" ]; then
        echo "no 32-bit build: configure found no i686-w64-mingw32-gcc (apt-get install gcc-mingw-w64-i686)"
    elif ! on_windows && ! wine_has_i386; then
        echo "no 32-bit Wine: install wine32:i386 (tools/install-deps does)"
    fi
}
