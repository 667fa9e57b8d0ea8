// The search spine runs one way (docs/architecture.md): cli → search → pool → evaluation → engine → assembly.
// Every relative import of src/ is read from the source; a spine folder may import a folder below it, never one above.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SPINE = ['cli', 'search', 'pool', 'evaluation', 'engine'];

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** [importing file, imported file] for every relative import (static, re-export or dynamic); `runtime` drops `import type` / `export type` */
function imports(dir: string, runtime = false): [string, string][] {
  const out: [string, string][] = [];
  for (const f of tsFiles(dir)) {
    const src = readFileSync(f, 'utf8');
    for (const m of src.matchAll(/^(?:import|export)\s+(type\s+)?[^;]*?\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]|\bimport\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]|^import\s+['"](\.{1,2}\/[^'"]+)['"]/gms)) {
      if (runtime && m[1]) continue;
      out.push([f, resolve(dirname(f), m[2] ?? m[3] ?? m[4]).replace(/\.js$/, '.ts')]);
    }
  }
  return out;
}

const folderOf = (p: string) => relative(join(ROOT, 'src'), p).split('/')[0];

describe('import direction', () => {
  const edges = imports(join(ROOT, 'src'));

  it('reads the imports it checks (the spine folders import each other downwards)', () => {
    const spineEdges = edges.filter(([a, b]) => SPINE.includes(folderOf(a)) && SPINE.includes(folderOf(b)) && folderOf(a) !== folderOf(b));
    expect(spineEdges.length).toBeGreaterThan(20);
    for (const [a, b] of [['cli', 'search'], ['search', 'pool'], ['pool', 'evaluation'], ['evaluation', 'engine']]) {
      expect(spineEdges.map(([x, y]) => `${folderOf(x)} → ${folderOf(y)}`)).toContain(`${a} → ${b}`);
    }
  });

  it('no spine folder imports one above it', () => {
    const up = edges
      .filter(([a, b]) => SPINE.includes(folderOf(a)) && SPINE.includes(folderOf(b)) && SPINE.indexOf(folderOf(b)) < SPINE.indexOf(folderOf(a)))
      .map(([a, b]) => `${relative(ROOT, a)} → ${relative(ROOT, b)}`);
    expect(up).toEqual([]);
  });

  it('no two folders of src/ import each other at run time (type-only imports aside)', () => {
    const pairs = new Set<string>();
    for (const [a, b] of imports(join(ROOT, 'src'), true)) {
      const fa = folderOf(a), fb = folderOf(b);
      // the files at the top of src/ (the CLI entry, the library index, errors) are outside the folders' order
      if (fa !== fb && !fa.endsWith('.ts') && !fb.endsWith('.ts')) pairs.add(`${fa} → ${fb}`);
    }
    expect(pairs.size).toBeGreaterThan(20);
    const both = [...pairs].filter((p) => pairs.has(p.split(' → ').reverse().join(' → ')));
    expect(both).toEqual([]);
  });

  it('the kernel (assembly/) imports only its own modules', () => {
    const out = imports(join(ROOT, 'assembly')).filter(([, b]) => !b.startsWith(join(ROOT, 'assembly')));
    expect(out).toEqual([]);
  });
});
