# Checks each catalogue row's class against the tags of the NOTES.md items
# its source cites (tools/check-catalogue).  Input: NOTES.md, then the
# catalogue as make_catalogue -t prints it (ID, class, source, behaviour,
# reference choice, tab-separated).  Prints one line per mismatch.
#
# NOTES.md items: "- **A1 [T]** ..." and their sub-bullets "  - [T-inf] ..."
# carry tags (T, T-inf, T-neg, N, V, and pairs such as T/V); the numbered
# entries of its section Z ("1. **...**") are Z1, Z2, ..., all [V].  A row
# cites items by ID in its source ("... H4 C5", "M6f" meaning M6).

FNR == NR {
    if ($0 ~ /^## /) { section = $2; sub(/\.$/, "", section); item = ""; next }
    if (match($0, /^- \*\*[A-Z][0-9]+ \[[^]]+\]\*\*/)) {
        head = substr($0, 5, RLENGTH - 6)
        item = head; sub(/ .*/, "", item)
        tags[item] = tags[item] "/" tag_of(head) "/"
        next
    }
    if (section == "Z" && $0 ~ /^[0-9]+\. \*\*/) {
        n = $0; sub(/\..*/, "", n)
        tags["Z" n] = "/V/"
        item = ""
        next
    }
    if (item != "" && match($0, /^[ \t]+- \[[^]]+\]/)) tags[item] = tags[item] "/" tag_of(substr($0, RSTART, RLENGTH)) "/"
    next
}

{
    split($0, cell, "\t")
    id = cell[1]; class = cell[2]; source = cell[3]
    testable = vague = 0
    unknown = ""
    n = split(source, word, /[ ,]+/)
    for (i = 1; i <= n; i++) {
        w = word[i]
        if (w !~ /^[A-Z][0-9]+[a-z]?$/) continue
        sub(/[a-z]$/, "", w)
        if (!(w in tags)) { unknown = unknown " " w; continue }
        if (tags[w] ~ /(^|\/)T(-inf|-neg)?(\/|$)/) testable = 1
        if (tags[w] ~ /(^|\/)V(\/|$)/) vague = 1
    }
    if (unknown != "") print id ": cites items NOTES.md does not have:" unknown
    if (class == "documented" && !testable && source !~ /^§0/)
        print id ": documented, but none of the NOTES.md items it cites is [T] or [T-inf]"
    if (class == "undefined" && !vague) print id ": undefined, but none of the NOTES.md items it cites is [V] or in section Z"
    if (class == "windows" && source !~ /^WINDOWS-FACTS/) print id ": windows, but its source is not WINDOWS-FACTS"
}

# "[T/V]" -> "T/V"
function tag_of(s) {
    sub(/^[^[]*\[/, "", s)
    sub(/\].*$/, "", s)
    return s
}
