// The Python target's two formatters, the native ruff of the repository's .venv and ruff's
// WebAssembly build, give the same bytes (the native one is only used at the same version).
import { describe, expect, it } from "vitest";
import { formatPython } from "../src/targets/format.ts";
import { nativeRuff } from "../src/targets/ruff.ts";
import type { TargetFile } from "../src/targets/types.ts";

const messy = `"""A module."""
from __future__ import annotations
import sys, os
from typing import (Any,
    Optional)
import httpx
from ._core import x


def f(a,b = 1) :
    return {'a':a,'b':b,   'long': [1111111111, 2222222222, 3333333333, 4444444444, 5555555555, 6666666666]}
class C( object ):
    '''Doc.'''
    y : int=2
`;

/** A module past the size where the WebAssembly path sorts only the import block and formats in pieces. */
const large = `import sys\nimport os\n\n${Array.from(
  { length: 3000 },
  (_, i) =>
    `@decorator\nclass Model${i}( Base ):\n    """Model ${i}.\n\nclass Not${i}: inside a docstring\n"""\n    field_${i} : int=${i}\n\n\ndef helper_${i}(x) :\n    return x+${i}\n`,
).join("\n")}`;

const readme = [
  "# Package",
  "",
  "```python",
  "import sys, os",
  "client=Client( base_url='http://x' )",
  "```",
  "",
  "Broken code is left as written:",
  "",
  "```python",
  "def broken(:",
  "    import b, a",
  "```",
  "",
  "```sh",
  "pip install x",
  "```",
  "",
].join("\n");

const files: TargetFile[] = [
  { path: "pkg/__init__.py", content: messy },
  { path: "pkg/models.py", content: large },
  { path: "pkg/empty.py", content: "" },
  { path: "README.md", content: readme },
  { path: "pyproject.toml", content: "[project]\nname='x'\n" },
];

describe.skipIf(nativeRuff() === null)("the native ruff (same version as the WebAssembly build)", () => {
  it("formats modules, a large module and README blocks exactly as the WebAssembly build does", () => {
    const wasm = formatPython(files, "wasm");
    const native = formatPython(files, "native");
    expect(native).toEqual(wasm);
    // Really formatted (not passed through), the broken block and other files untouched.
    const init = native[0]?.content ?? "";
    expect(init).toContain("import os\nimport sys\n");
    expect(init).toContain("def f(a, b=1):");
    expect(native[3]?.content).toContain('import os\nimport sys\n\nclient = Client(base_url="http://x")\n```');
    expect(native[3]?.content).toContain("def broken(:\n    import b, a\n```");
    expect(native[4]).toEqual(files[4]);
  }, 120_000);

  it("refuses generated Python it cannot parse, as the WebAssembly build does", () => {
    const bad = [{ path: "bad.py", content: "def (:\n" }];
    expect(() => formatPython(bad, "wasm")).toThrow();
    expect(() => formatPython(bad, "native")).toThrow(/cannot parse the generated bad.py/);
  });
});
