#!/usr/bin/env python3
"""Checks every #include "icmpkit/<module>/..." against DESIGN.md's layer table.

A module may include itself and the modules listed for it below, never a module above it.
Exit 1 and name each offending line. Also fails when a source directory names an unknown module.
"""
import pathlib
import re
import sys

ALLOWED = {
    "core": set(),
    "wire": {"core"},
    "capture": {"core"},
    "dissect": {"wire", "capture", "core"},
    "probe": {"wire", "core"},
    "stack": {"wire", "core"},
    "sim": {"stack", "wire", "core"},  # sim is a network of stack nodes (DESIGN.md 1)
    "net": {"probe", "sim", "stack", "wire", "capture", "core"},
    "report": {"dissect", "probe", "stack", "sim", "wire", "capture", "core"},
    "cli": {"net", "report", "dissect", "probe", "stack", "sim", "wire", "capture", "core"},
}
PURE = {"core", "wire", "dissect", "probe", "stack", "sim", "report"}
# Headers that mean a syscall or a clock read; pure modules must not include them.
IMPURE_HEADERS = re.compile(r'#\s*include\s*<(sys/socket\.h|netinet/[^>]+|unistd\.h|pcap[^>]*|'
                            r'linux/[^>]+|iostream|thread|fcntl\.h|poll\.h|sys/epoll\.h)>')
INCLUDE = re.compile(r'#\s*include\s*[<"]icmpkit/([a-z_]+)/')


def module_of(path: pathlib.Path, root: pathlib.Path):
    rel = path.relative_to(root).parts
    if rel[0] == "include":
        return rel[2] if len(rel) > 3 else None
    if rel[0] == "src":
        return rel[1] if len(rel) > 2 else None
    return None


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    errors = []
    files = list((root / "include" / "icmpkit").rglob("*.hpp")) + list((root / "src").rglob("*.cpp")) \
        + list((root / "src").rglob("*.hpp"))
    for f in files:
        mod = module_of(f, root)
        if mod is None:
            continue
        if mod not in ALLOWED:
            errors.append(f"{f.relative_to(root)}: unknown module '{mod}'")
            continue
        for n, line in enumerate(f.read_text(errors="replace").splitlines(), 1):
            m = INCLUDE.search(line)
            if m and m.group(1) != mod and m.group(1) not in ALLOWED[mod]:
                errors.append(f"{f.relative_to(root)}:{n}: {mod} may not include {m.group(1)}: {line.strip()}")
            if mod in PURE and IMPURE_HEADERS.search(line):
                errors.append(f"{f.relative_to(root)}:{n}: pure module {mod} includes a system I/O header: {line.strip()}")
    for e in errors:
        print(e)
    print(f"layering: {len(files)} files checked, {len(errors)} violations")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
