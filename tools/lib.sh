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
