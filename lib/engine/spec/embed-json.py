#!/usr/bin/env python3
"""Embed a JSON file as a C string: embed-json.py IN OUT SYMBOL.

The JSON is parsed (a broken file fails the build) and written compactly."""
import json
import sys

src, out, symbol = sys.argv[1:4]
with open(src, encoding="utf-8") as f:
    text = json.dumps(json.load(f), separators=(",", ":"))
lines = [text[i:i + 100] for i in range(0, len(text), 100)]
with open(out, "w", encoding="utf-8") as f:
    f.write("/* generated from %s by embed-json.py */\n" % src.split("/")[-1])
    f.write('#include "engine/spec/specgen.h"\n\n')
    f.write("const char %s[] =\n" % symbol)
    for line in lines:
        f.write("    %s\n" % json.dumps(line))
    f.write("    ;\n")
