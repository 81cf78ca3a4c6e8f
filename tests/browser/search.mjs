// Search as a reader uses it, from disk (file://) in Debian's Chromium: the shipped article is
// found by an accented and an unaccented Spanish word, an English word and a prefix; matches
// are marked; the keyboard moves from the box to the results; nothing but file:// is asked
// for. Also screenshots of the results and the archive, light and dark, wide and narrow.
// With a large site: how many bytes a query loads and how long it takes, the CPU slowed ×4.
//
// Usage: node search.mjs <site-dir> <screenshot-dir> [<large-site-dir>]
// Prints one `ok - …` / `not ok - …` line a check; exits 1 on a failure.

import { mkdir, readFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const WIDE = { width: 1280, height: 900 };
const NARROW = { width: 390, height: 844 };
const SLUG = '000_df1e1d8b34815c19';

const [siteArg, shotArg, largeArg] = process.argv.slice(2);
if (!siteArg || !shotArg) {
  console.error('usage: node search.mjs <site-dir> <screenshot-dir> [<large-site-dir>]');
  process.exit(2);
}
const siteDir = resolve(siteArg);
const shotDir = resolve(shotArg);
await mkdir(shotDir, { recursive: true });

let failed = 0;
async function check(name, body) {
  try {
    await body();
    console.log(`ok - ${name}`);
  } catch (error) {
    failed += 1;
    console.log(`not ok - ${name}\n${String(error.stack ?? error).replace(/^/gm, '    ')}`);
  }
}
function assert(condition, message) {
  if (!condition) throw new Error(message);
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
const problems = [];
async function newPage(viewport, colorScheme = 'light') {
  const context = await browser.newContext({ viewport, colorScheme });
  context.on('request', (r) => r.url().startsWith('file://') || problems.push(`request to ${r.url()}`));
  const page = await context.newPage();
  page.on('console', (m) => m.type() === 'error' && problems.push(`console error: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return page;
}

// Types `query` into the page's search box and waits for the answer.
async function search(page, query) {
  await page.fill('#search-box', '');
  await page.fill('#search-box', query);
  await page.waitForFunction(
    (q) => document.querySelector('#search-results').getAttribute('data-query') === q,
    query,
    { timeout: 10000 },
  );
  return page.evaluate(() => Array.from(document.querySelectorAll('#search-results > li:not(.more)'), (li) => ({
    href: li.querySelector('a').getAttribute('href'),
    marks: Array.from(li.querySelectorAll('mark'), (m) => m.textContent),
    text: li.textContent,
  })));
}

const index = pathToFileURL(join(siteDir, 'index.html')).href;

await check('the search box shows with script, and is hidden without', async () => {
  const page = await newPage(WIDE);
  await page.goto(index);
  assert(await page.isVisible('#search-box'), 'the box is hidden');
  const context = await browser.newContext({ javaScriptEnabled: false });
  const plain = await context.newPage();
  await plain.goto(index);
  assert(!(await plain.isVisible('#search-box')), 'the box shows without script');
  assert(await plain.isVisible('a[href="archive/index.html"]'), 'no archive link without script');
  await context.close();
});

await check('finds the shipped article by accented, unaccented, English words and a prefix', async () => {
  const page = await newPage(WIDE);
  await page.goto(index);
  for (const [query, mark] of [['Japón', 'Japón'], ['japon', 'Japón'], ['PRODUCCION', 'producción'],
    ['prime', 'prime'], ['zelen', 'Zelenski'], ['militar conj', 'conjunta']]) {
    const results = await search(page, query);
    assert(results.length === 1, `${query}: ${results.length} results`);
    assert(results[0].href === `${SLUG}/index.html`, `${query}: ${results[0].href}`);
    assert(results[0].marks.includes(mark), `${query}: marks ${results[0].marks}`);
  }
  const none = await search(page, 'washington japon');
  assert(none.length === 0, 'found an article without Washington');
  assert(/No article found/.test(await page.textContent('#search-status')), 'no status');
});

await check('the keyboard moves from the box to a result and opens it', async () => {
  const page = await newPage(WIDE);
  await page.goto(index);
  await search(page, 'tokio');
  await page.focus('#search-box');
  await page.keyboard.press('ArrowDown');
  assert(await page.evaluate(() => document.activeElement.matches('#search-results a')), 'ArrowDown');
  await page.keyboard.press('ArrowUp');
  assert(await page.evaluate(() => document.activeElement.id === 'search-box'), 'ArrowUp');
  await page.keyboard.press('Enter');
  assert(await page.evaluate(() => document.activeElement.matches('#search-results a')), 'Enter');
  await Promise.all([page.waitForURL(/000_df1e1d8b34815c19\/index.html$/), page.keyboard.press('Enter')]);
  // From an article, one level down, too.
  const results = await search(page, 'takaichi');
  assert(results.length === 1 && results[0].href === `../${SLUG}/index.html`, JSON.stringify(results));
  await page.focus('#search-box');
  await page.keyboard.press('Escape');
  assert((await page.inputValue('#search-box')) === '', 'Escape did not clear');
});

await check('the archive lists the month and links the article', async () => {
  const page = await newPage(WIDE);
  await page.goto(pathToFileURL(join(siteDir, 'archive/index.html')).href);
  await page.click('a[href="2025/11/index.html"]');
  await page.click(`a[href="../../../${SLUG}/index.html"]`);
  assert(page.url().endsWith(`${SLUG}/index.html`), page.url());
});

await check('screenshots: results, archive, at 1280 and 390 px, light and dark', async () => {
  for (const [name, viewport] of [['wide', WIDE], ['narrow', NARROW]]) {
    for (const scheme of ['light', 'dark']) {
      const page = await newPage(viewport, scheme);
      await page.goto(index);
      await search(page, 'japon');
      await page.screenshot({ path: join(shotDir, `search-${name}-${scheme}.png`) });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
      assert(!overflow, `${name} ${scheme}: the page is wider than the screen`);
      for (const [file, path] of [['archive', 'archive/index.html'], ['month', 'archive/2025/11/index.html']]) {
        await page.goto(pathToFileURL(join(siteDir, path)).href);
        await page.screenshot({ path: join(shotDir, `${file}-${name}-${scheme}.png`), fullPage: true });
      }
      await page.context().close();
    }
  }
});

await check('nothing but local files is asked for, no script error', async () => {
  assert(problems.length === 0, problems.join('\n'));
});

// A large site: bytes loaded by each query (gzipped as a host would send them) and the time
// from typing to results, with Chromium's CPU slowed four times.
if (largeArg) {
  const large = resolve(largeArg);
  await check('a large site answers within the budget', async () => {
    const shards = await readdir(join(large, 'search/t'));
    const sizes = await Promise.all(shards.map(async (f) => [f, (await readFile(join(large, 'search/t', f))).length]));
    sizes.sort((a, b) => b[1] - a[1]);
    const biggest = sizes[0][0].replace('.js', '');
    const page = await newPage(WIDE);
    const loaded = [];
    page.on('requestfinished', (r) => {
      const url = r.url();
      if (url.includes('/search/')) loaded.push(decodeURIComponent(new URL(url).pathname));
    });
    const cdp = await page.context().newCDPSession(page);
    const queries = [biggest, 'co', 'gobierno', 'presidente', 'madrid', 'takaichi', 'ministro de', 'prime minister', 'sanidad', 'zzz'];
    let worstBytes = 0;
    let worstMs = 0;
    let worstCold = 0;
    for (const query of queries) {
      // A fresh page a query, so that the first search loads what it needs.
      await page.goto(pathToFileURL(join(large, 'index.html')).href);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
      loaded.length = 0;
      // Cold: the files are loaded; warm: typed again, all in memory.
      // Timed in the page, from the search's start (after the box's 60 ms wait for more keys)
      // to the results in place.
      const times = [];
      let files = [];
      let count = '';
      for (const round of ['cold', 'warm']) {
        await page.evaluate(() => { document.querySelector('#search-results').removeAttribute('data-query'); });
        await search(page, query);
        times.push(Math.round(await page.evaluate(() => window.paraleloSearch.took)));
        if (round === 'cold') {
          files = [...loaded];
          count = await page.textContent('#search-status');
        }
      }
      let raw = 0;
      let gz = 0;
      for (const file of new Set(files)) {
        const bytes = await readFile(file);
        raw += bytes.length;
        gz += gzipSync(bytes, { level: 6 }).length;
      }
      const [cold, warm] = times;
      console.log(`# "${query}": ${count.trim()} ${files.length} files, ${(raw / 1024).toFixed(1)} KB raw, ${(gz / 1024).toFixed(1)} KB gzipped; ${cold} ms cold, ${warm} ms warm (CPU ×4)`);
      worstBytes = Math.max(worstBytes, gz);
      worstMs = Math.max(worstMs, warm);
      worstCold = Math.max(worstCold, cold);
    }
    console.log(`# worst: ${(worstBytes / 1024).toFixed(1)} KB gzipped, ${worstCold} ms cold, ${worstMs} ms warm`);
    assert(worstBytes <= 300 * 1024, `a query loads ${worstBytes} bytes gzipped`);
  });
}

await browser.close();
process.exit(failed ? 1 : 0);
