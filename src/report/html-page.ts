/**
 * The report as one self-contained HTML file: vega, vega-lite and vega-embed's browser bundles inlined (read from
 * node_modules when the report is written), the charts' vega-lite specs as JSON, no request to the network.
 * The page sets `data-rendered` on <body> to `done` when every chart has rendered (`error` if one failed), for
 * tests and scripts that open it in a browser.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Chart } from './charts/spec.js';

/** The browser bundles, in load order: package and file inside it. */
export const BUNDLES = [
  { pkg: 'vega', file: 'build/vega.min.js' },
  { pkg: 'vega-lite', file: 'build/vega-lite.min.js' },
  { pkg: 'vega-embed', file: 'build/vega-embed.min.js' },
] as const;

/** The directory of an installed package (its exports hide package.json, so walk up from its entry point). */
function packageDir(pkg: string): string {
  const require = createRequire(import.meta.url);
  let dir = dirname(require.resolve(pkg));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === pkg) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the directory of package ${pkg}`);
    dir = up;
  }
}

let bundleCache: string | null = null;

/** The three bundles as one script body (source-map comments dropped: the maps are not shipped in the page). */
export function inlineBundles(): string {
  if (bundleCache === null) {
    bundleCache = BUNDLES.map(({ pkg, file }) => {
      const js = readFileSync(join(packageDir(pkg), file), 'utf8').replace(/\/\/# sourceMappingURL=\S+\s*$/gm, '');
      return `/* ${pkg}/${file} */\n${js}`;
    }).join('\n;\n');
  }
  return bundleCache;
}

/** Text safe inside a <script> element (no `</script`, no `<!--`). */
export function scriptSafe(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

export const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export interface PageContent {
  title: string;
  /** lines under the title */
  summary: string[];
  charts: Chart[];
  notes: string[];
}

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1000px; color: #222; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 36px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 22px 0 2px; } p.caption { color: #555; margin: 2px 0 8px; font-size: 13px; }
.summary { color: #444; margin: 0; } .notes { background: #fff8e1; border: 1px solid #f0d98c; padding: 8px 12px 8px 28px; font-size: 13px; }
.chart { overflow-x: auto; } .error { color: #b00020; }
`;

const BOOT = `
(function () {
  var charts = JSON.parse(document.getElementById('report-specs').textContent);
  var done = 0, failed = false;
  function finish() { if (done === charts.length) document.body.setAttribute('data-rendered', failed ? 'error' : 'done'); }
  if (charts.length === 0) finish();
  charts.forEach(function (c) {
    vegaEmbed('#' + c.id, c.spec, { renderer: 'svg', actions: false })
      .then(function () { done++; finish(); })
      .catch(function (e) {
        failed = true; done++;
        var el = document.getElementById(c.id);
        el.textContent = 'this chart failed to render: ' + e.message; el.className += ' error';
        console.error('chart ' + c.id + ': ' + e.message);
        finish();
      });
  });
})();
`;

export function htmlPage(p: PageContent): string {
  const sections: string[] = [];
  let current = '';
  for (const c of p.charts) {
    if (c.section !== current) {
      current = c.section;
      sections.push(`<h2>${escapeHtml(c.section)}</h2>`);
    }
    sections.push(`<h3>${escapeHtml(c.title)}</h3>\n<p class="caption">${escapeHtml(c.caption)}</p>\n<div class="chart" id="${c.id}"></div>`);
  }
  const specs = JSON.stringify(p.charts.map((c) => ({ id: c.id, spec: c.spec }))).replace(/</g, '\\u003c');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(p.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(p.title)}</h1>
${p.summary.map((s) => `<p class="summary">${escapeHtml(s)}</p>`).join('\n')}
${p.notes.length ? `<ul class="notes">${p.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : ''}
${sections.join('\n')}
<script>${scriptSafe(inlineBundles())}</script>
<script type="application/json" id="report-specs">${specs}</script>
<script>${BOOT}</script>
</body>
</html>
`;
}
