#!/usr/bin/env python3
"""structure: the house rules of doc/architecture.md, checked on the tree as it is.

1. Each third-party library is included by exactly one module (tests aside).
2. Dependencies point downstream only: a module includes only the public headers of the
   modules below it (the LAYERS order), and no other module's private headers.
3. No file cycles inside a module: in the object files of one module, file A using a symbol
   that file B defines, and B (directly or through others) using one of A's, is a cycle.

Usage: structure.py SRCDIR BUILDDIR. Prints every violation and exits 1 if there is one.
Rule 3 reads the object files with nm, so it needs a build (skipped, with a note, without).
"""
import os
import re
import subprocess
import sys

# Lowest first. A module may include the public header of any module on an earlier line;
# modules on one line are peers and may not include each other.
LAYERS = [
    ["lib"],
    ["conf"],
    ["token", "parse", "net"],
    ["store"],
    ["kb"],
    ["thread", "compose", "outbox", "report"],
    ["survey"],
    ["deliver"],
    ["lmtp", "milter", "fetch"],
    ["cli"],
    ["bin"],
]
# Third-party headers (by include path prefix) and the one module that may include them.
OWNERS = {
    "gmime/": "parse",
    "libxml/": "parse",
    "sqlite3.h": "store",
    "libpq-fe.h": "store",
    "sodium.h": "token",
    "libetpan/": "net",
    "libmilter/": "milter",
    "json-glib/": "report",
    "systemd/": "lib",
    "libstemmer.h": "parse",
    "libexttextcat/": "parse",
}

LEVEL = {m: i for i, row in enumerate(LAYERS) for m in row}
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def sources(srcdir):
    for mod in sorted(os.listdir(os.path.join(srcdir, "src"))):
        d = os.path.join(srcdir, "src", mod)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            if name.endswith((".c", ".h", ".def")):
                yield mod, os.path.join(d, name)


def check_includes(srcdir):
    errors = []
    users = {}
    for mod, path in sources(srcdir):
        if mod not in LEVEL:
            errors.append(f"{path}: module '{mod}' is missing from LAYERS (tests/lint/structure.py)")
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        rel = os.path.relpath(path, srcdir)
        for kind, inc in INCLUDE.findall(text):
            for prefix, owner in OWNERS.items():
                if inc.startswith(prefix):
                    users.setdefault(prefix, set()).add(mod)
                    if mod != owner:
                        errors.append(f"{rel}: includes <{inc}>, which only {owner}/ may include")
            m = re.match(r"postdesk/([a-z_]+)\.h$", inc)
            if m:
                other = m.group(1)
                if other == mod:
                    continue
                if other not in LEVEL:
                    errors.append(f"{rel}: includes unknown module header {inc}")
                elif LEVEL[other] >= LEVEL[mod]:
                    errors.append(f"{rel}: includes {inc}, but {other}/ is not below {mod}/ "
                                  "(dependencies point downstream only)")
            elif kind == '"' and "/" in inc and not inc.startswith("postdesk/"):
                errors.append(f"{rel}: includes {inc} from another directory")
    errors += check_symbol_owners(srcdir)
    return errors, users


# Library parts that come inside a header another module may include (GIO comes with GLib,
# which every module may use): the one file that may call them.
SYMBOL_OWNERS = {
    "g_zlib_": "src/lib/zip.c",     # zlib, for stored message bytes (lib/zip.c)
}


def check_symbol_owners(srcdir):
    errors = []
    for mod, path in sources(srcdir):
        rel = os.path.relpath(path, srcdir)
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        for prefix, owner in SYMBOL_OWNERS.items():
            if rel != owner and re.search(r"\b" + prefix, text):
                errors.append(f"{rel}: calls {prefix}*, which only {owner} may call")
    return errors


def archive_symbols(archive):
    """{member.o: (defined, used)} of a static library (only what it holds now: automake
    removes the archive before it writes it again, so no stale object is read)."""
    out = subprocess.run(["nm", "-P", "-A", archive], capture_output=True, text=True,
                         check=True).stdout
    info = {}
    for line in out.splitlines():
        m = re.match(r"^[^\[]*\[([^\]]+)\]: (\S+) (\S)", line)
        if not m:
            continue
        member, sym, typ = m.groups()
        defs, uses = info.setdefault(member, (set(), set()))
        if typ == "U":
            uses.add(sym)
        elif typ in "TDBRC":  # global text, data, bss, read-only, common
            defs.add(sym)
    return info


def check_cycles(builddir):
    errors = []
    src = os.path.join(builddir, "src")
    for mod in sorted(os.listdir(src)):
        archive = os.path.join(src, mod, f"lib{mod}.a")
        if not os.path.isfile(archive):
            continue
        info = archive_symbols(archive)
        owner = {}
        for o, (defs, _) in info.items():
            for s in defs:
                owner[s] = o
        graph = {o: sorted({owner[s] for s in uses if s in owner and owner[s] != o})
                 for o, (_, uses) in info.items()}
        # Tarjan's strongly connected components: any with two or more files is a cycle.
        index, low, stack, on, comps, counter = {}, {}, [], set(), [], [0]

        def visit(v):
            index[v] = low[v] = counter[0]
            counter[0] += 1
            stack.append(v)
            on.add(v)
            for w in graph[v]:
                if w not in index:
                    visit(w)
                    low[v] = min(low[v], low[w])
                elif w in on:
                    low[v] = min(low[v], index[w])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                comps.append(comp)

        for v in graph:
            if v not in index:
                visit(v)
        for comp in comps:
            if len(comp) > 1:
                files = ", ".join(sorted(c[:-2] + ".c" for c in comp))
                errors.append(f"src/{mod}/: file cycle between {files}")
    return errors


def main():
    srcdir, builddir = sys.argv[1], sys.argv[2]
    errors, users = check_includes(srcdir)
    for prefix, mods in sorted(users.items()):
        print(f"{prefix:14} included by {', '.join(sorted(mods))}/")
    if os.path.isdir(os.path.join(builddir, "src", "lib")):
        errors += check_cycles(builddir)
    else:
        print("note: no build in", builddir, "- file cycles not checked")
    for e in errors:
        print("FAIL:", e)
    print(f"{len(errors)} violation(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
