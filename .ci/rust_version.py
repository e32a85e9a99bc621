#!/usr/bin/env python3
"""Check that Cargo.toml's rust-version is the compiler the code needs: the newest rust-version
any dependency built on this platform declares, and at least 1.88 (let-chains in edition 2024).
No older toolchain can be downloaded here, so the declared version is checked against what the
dependency graph requires, not by building with it."""
import json
import subprocess
import sys
import tomllib

LANGUAGE_FLOOR = (1, 88)  # let-chains


def version(s):
    return tuple(int(p) for p in s.split(".")[:2])


host = next(
    line.split(": ", 1)[1]
    for line in subprocess.run(["rustc", "-vV"], capture_output=True, text=True, check=True).stdout.splitlines()
    if line.startswith("host: ")
)
meta = json.loads(
    subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--filter-platform", host],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
)
with open("Cargo.toml", "rb") as f:
    declared = version(tomllib.load(f)["package"]["rust-version"])
packages = {p["id"]: p for p in meta["packages"]}
root = meta["resolve"]["root"]
needs = [(LANGUAGE_FLOOR, "let-chains")]
for node in meta["resolve"]["nodes"]:
    p = packages[node["id"]]
    if node["id"] != root and p.get("rust_version"):
        needs.append((version(p["rust_version"]), f"{p['name']} {p['version']}"))
need, why = max(needs)
fmt = lambda v: ".".join(map(str, v))
if declared != need:
    sys.exit(f"Cargo.toml rust-version is {fmt(declared)}, but the code needs {fmt(need)} ({why})")
print(f"rust-version {fmt(declared)}: what the code needs ({why})")
