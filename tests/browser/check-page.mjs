// Opens the pages paralelo built, straight from disk, in Debian's Chromium and checks what a
// reader sees and does: layout, highlights, reading modes, the index, accessibility (axe-core),
// console errors and requests. Prints one `ok - …` / `not ok - …` line a check; exits 1 on a failure.
//
// Usage: node check-page.mjs <site-dir> <screenshot-dir> [<machine-translated-site-dir>]

import { mkdir, readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { assert, check, result } from './checks.mjs';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const WIDE = { width: 1280, height: 900 };
const NARROW = { width: 390, height: 844 };
const MODES = ['side', 'interleaved', 'original', 'translation'];
const AXE_PATH = fileURLToPath(new URL('node_modules/axe-core/axe.min.js', import.meta.url));
const TOLERANCE = 4; // px

const [siteArg, shotArg, machineArg] = process.argv.slice(2);
if (!siteArg || !shotArg) {
  console.error('usage: node check-page.mjs <site-dir> <screenshot-dir>');
  process.exit(2);
}
const siteDir = resolve(siteArg);
const shotDir = resolve(shotArg);
const machineDir = machineArg ? resolve(machineArg) : null;


// Everything a page's visitor could notice going wrong, from every page of a context.
function watch(context) {
  const problems = [];
  context.on('page', (page) => {
    page.on('console', (m) => m.type() === 'error' && problems.push(`console error on ${page.url()}: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`page error on ${page.url()}: ${e.message}`));
  });
  context.on('request', (r) => r.url().startsWith('file://') || problems.push(`request to ${r.url()}`));
  return problems;
}

const box = async (locator) => (await locator.boundingBox()) ?? { x: NaN, y: NaN, width: 0, height: 0 };
const look = (locator) =>
  locator.evaluate((el) => {
    const s = getComputedStyle(el);
    return `background ${s.backgroundColor}, shadow ${s.boxShadow}`;
  });
const noHorizontalScroll = async (page) => {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  const viewport = page.viewportSize().width;
  assert(width <= viewport, `the page is ${width}px wide in a ${viewport}px viewport (scrolls sideways)`);
};
const shoot = (page, name) => page.screenshot({ path: join(shotDir, name), fullPage: true });

// The site's own folders, which hold no article (src/find/mod.rs RESERVED, and `page`).
const SITE_FOLDERS = ['page', 'archive', 'search', 'people', 'places', 'organisations', 'topics'];

async function articleSlugs() {
  const entries = await readdir(siteDir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && !SITE_FOLDERS.includes(e.name) && existsSync(join(siteDir, e.name, 'index.html')))
    .map((e) => e.name)
    .sort();
}

async function pairNumbers(page) {
  return page.locator('.pair > p.src[data-p]').evaluateAll((ps) => ps.map((p) => p.dataset.p));
}

async function checkLayout(page, slug) {
  const numbers = await pairNumbers(page);
  await check(`${slug}: ${numbers.length} paragraph pairs, each an original and its translation`, async () => {
    assert(numbers.length > 0, 'no p.src[data-p] in a .pair');
    for (const k of numbers) {
      const tgt = page.locator(`.pair > p.tgt[lang][data-p="${k}"]`);
      assert((await tgt.count()) === 1, `pair ${k} has ${await tgt.count()} p.tgt[data-p="${k}"]`);
    }
  });
  await page.setViewportSize(WIDE);
  await check(`${slug}: side by side at ${WIDE.width}px`, async () => {
    for (const k of numbers) {
      const src = await box(page.locator(`p.src[data-p="${k}"]`));
      const tgt = await box(page.locator(`p.tgt[data-p="${k}"]`));
      assert(src.height > 0 && tgt.height > 0, `pair ${k}: src ${JSON.stringify(src)}, tgt ${JSON.stringify(tgt)}`);
      assert(Math.abs(src.y - tgt.y) <= TOLERANCE, `pair ${k}: tops at ${src.y} (src) and ${tgt.y} (tgt)`);
      assert(tgt.x >= src.x + src.width, `pair ${k}: tgt starts at x=${tgt.x}, src ends at ${src.x + src.width}`);
    }
    const [bar, main] = [await box(page.locator('header.bar')), await box(page.locator('main'))];
    assert(
      Math.abs(bar.x - main.x) <= TOLERANCE && Math.abs(bar.width - main.width) <= TOLERANCE,
      `the bar (x=${bar.x}, ${bar.width}px wide) does not line up with main (x=${main.x}, ${main.width}px wide)`,
    );
    await noHorizontalScroll(page);
  });
  await page.setViewportSize(NARROW);
  await check(`${slug}: stacked at ${NARROW.width}px`, async () => {
    for (const k of numbers) {
      const src = await box(page.locator(`p.src[data-p="${k}"]`));
      const tgt = await box(page.locator(`p.tgt[data-p="${k}"]`));
      assert(tgt.y >= src.y + src.height - TOLERANCE, `pair ${k}: tgt top ${tgt.y}, src bottom ${src.y + src.height}`);
      assert(Math.abs(src.x - tgt.x) <= TOLERANCE, `pair ${k}: lefts at ${src.x} (src) and ${tgt.x} (tgt)`);
    }
    await noHorizontalScroll(page);
  });
  await shoot(page, `${slug}-390.png`);
  await page.setViewportSize(WIDE);
}

async function checkQuotations(page, slug) {
  const numbers = (side) =>
    page.locator(`.pair > p.${side}[data-p] q.quote`).evaluateAll((qs) => qs.map((q) => q.dataset.quote));
  const [src, tgt] = [await numbers('src'), await numbers('tgt')];
  await check(`${slug}: ${src.length} quotations per language, the same numbers on both sides`, async () => {
    assert(src.length > 0, 'no q.quote in the paragraphs');
    assert(
      JSON.stringify([...src].sort()) === JSON.stringify([...tgt].sort()) && new Set(src).size === src.length,
      `data-quote in the original: ${src.join(' ')}; in the translation: ${tgt.join(' ')}`,
    );
  });
  await check(`${slug}: every quotation mark in the paragraphs is inside a q.quote`, async () => {
    const stray = await page.locator('.pair > p[data-p]').evaluateAll((ps) =>
      ps.flatMap((p) => {
        const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
        const found = [];
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          if (/["“”«»]/.test(node.data) && !node.parentElement.closest('q.quote')) {
            found.push(`${p.className} ${p.dataset.p}: …${node.data.trim().slice(0, 60)}…`);
          }
        }
        return found;
      }),
    );
    assert(stray.length === 0, `quotation marks outside q.quote:\n${stray.join('\n')}`);
  });
  await check(`${slug}: every quotation is highlighted`, async () => {
    const plain = await page.locator('.pair > p[data-p] q.quote').evaluateAll((qs) =>
      qs
        .filter((q) => ['transparent', 'rgba(0, 0, 0, 0)'].includes(getComputedStyle(q).backgroundColor))
        .map((q) => `${q.closest('p').className} quote ${q.dataset.quote}`),
    );
    assert(plain.length === 0, `no background colour on: ${plain.join(', ')}`);
  });
}

async function checkHighlights(page, slug) {
  await check(`${slug}: sentence groups are the same in both languages`, async () => {
    const groups = (side) =>
      page.locator(`.pair > p.${side}[data-p] .s`).evaluateAll((ss) => [...new Set(ss.map((s) => s.dataset.a))]);
    const [src, tgt] = [await groups('src'), await groups('tgt')];
    assert(src.length > 0, 'no .s[data-a] in the paragraphs');
    assert(JSON.stringify(src) === JSON.stringify(tgt), `data-a in the original: ${src}; in the translation: ${tgt}`);
  });
  const litGroup = () =>
    page.locator('.s.lit').evaluateAll((ss) => ss.map((s) => `${s.closest('p').className}:${s.dataset.a}`));
  // Checks that the hovered or focused sentence lit all of its group, in both languages, and nothing else.
  const assertLit = async (group, twin, before) => {
    const expected = await page
      .locator(`.pair > p[data-p] .s[data-a="${group}"]`)
      .evaluateAll((ss) => ss.map((s) => `${s.closest('p').className}:${s.dataset.a}`));
    const lit = await litGroup();
    assert(JSON.stringify(lit) === JSON.stringify(expected), `lit: ${lit.join(' ')}; expected: ${expected.join(' ')}`);
    const after = await look(twin);
    assert(after !== before, `the English twin looks the same lit as unlit: ${after}`);
  };

  const sentence = page.locator('.pair > p.src[data-p] .s').first();
  const group = await sentence.getAttribute('data-a');
  const twin = page.locator(`.pair > p.tgt[data-p] .s[data-a="${group}"]`).first();
  await check(`${slug}: hovering a Spanish sentence lights its English twin`, async () => {
    const before = await look(twin);
    await sentence.hover();
    await assertLit(group, twin, before);
    await page.mouse.move(0, 0);
    assert((await litGroup()).length === 0, 'the highlight stays after the pointer leaves');
  });

  const quoted = page.locator('.pair > p.src[data-p] q.quote .s').first();
  const number = await quoted.evaluate((s) => s.closest('q.quote').dataset.quote);
  const quoteTwin = page.locator(`.pair > p.tgt[data-p] q.quote[data-quote="${number}"]`);
  await check(`${slug}: hovering a sentence in Spanish quotation ${number} marks its English twin quotation`, async () => {
    const before = await look(quoteTwin);
    await quoted.hover();
    const twins = await page.locator('q.quote.twin').evaluateAll((qs) => qs.map((q) => q.dataset.quote));
    assert(JSON.stringify(twins) === JSON.stringify([number, number]), `q.quote.twin: ${twins.join(' ') || 'none'}`);
    const after = await look(quoteTwin);
    assert(after !== before, `the English quotation looks the same: ${after}`);
    await page.mouse.move(0, 0);
  });

  await check(`${slug}: Tab reaches the first Spanish sentence and lights its twin; arrows walk on`, async () => {
    const before = await look(twin);
    for (let i = 0; i < 20 && !(await sentence.evaluate((s) => s === document.activeElement)); i += 1) {
      await page.keyboard.press('Tab');
    }
    assert(
      await sentence.evaluate((s) => s === document.activeElement),
      `after 20 Tabs the focus is on ${await page.evaluate(() => document.activeElement.outerHTML.slice(0, 80))}`,
    );
    await assertLit(group, twin, before);
    await page.keyboard.press('ArrowRight');
    const moved = await page.evaluate(() => {
      const s = document.activeElement;
      return s.matches('.pair > p.src[data-p] .s') ? `${s.closest('p').dataset.p}/${s.dataset.a}` : s.outerHTML.slice(0, 60);
    });
    const first = `${await sentence.evaluate((s) => s.closest('p').dataset.p)}/${group}`;
    assert(/^\d+\/\d+$/.test(moved) && moved !== first, `ArrowRight moved from ${first} to ${moved}`);
    await page.evaluate(() => document.activeElement.blur());
    assert((await litGroup()).length === 0, 'the highlight stays after the focus leaves');
  });
}

async function checkKeyboard(page, slug) {
  await check(`${slug}: one tab stop per sentence, never on a fragment a quotation splits off`, async () => {
    const stops = await page.locator('.pair > p[data-p] .s[tabindex]').evaluateAll((ss) => {
      const seen = new Set();
      const out = { bare: [], twice: [] };
      for (const s of ss) {
        const key = `${s.closest('p').className}/${s.closest('p').dataset.p}/${s.dataset.a}`;
        const first = !seen.has(key);
        seen.add(key);
        const stop = s.closest('p').classList.contains('src') || s.closest('p').classList.contains('tgt');
        if (!stop) continue;
        if (!first && s.getAttribute('tabindex') === '0') out.twice.push(key);
        if (first && !/[\p{L}\p{N}]/u.test(s.textContent)) out.bare.push(`${key}: ${s.textContent}`);
      }
      out.fragments = ss.filter((s) => !/[\p{L}\p{N}]/u.test(s.textContent) && s.hasAttribute('tabindex')).length;
      return out;
    });
    assert(stops.bare.length === 0, `stops with no word: ${stops.bare.join(' | ')}`);
    const sentences = page.locator('.pair > p.src[data-p] .s[tabindex]');
    await sentences.first().focus();
    const visited = [];
    for (let i = 0; i < 40; i += 1) {
      visited.push(await page.evaluate(() => document.activeElement.textContent));
      await page.keyboard.press('ArrowRight');
    }
    const bare = visited.filter((t) => !/[\p{L}\p{N}]/u.test(t));
    assert(bare.length === 0, `the arrows stop on: ${bare.join(' | ')}`);
  });
  await check(`${slug}: the English column's tab stop follows the sentence the reader is on`, async () => {
    const groups = await page.locator('.pair > p.src[data-p] .s').evaluateAll((ss) => [...new Set(ss.map((s) => s.dataset.a))]);
    const later = groups[Math.min(3, groups.length - 1)];
    await page.locator(`.pair > p.src[data-p] .s[data-a="${later}"]`).first().focus();
    const stop = await page.locator('.pair > p.tgt[data-p] .s[tabindex="0"]').evaluateAll((ss) => ss.map((s) => s.dataset.a));
    assert(JSON.stringify(stop) === JSON.stringify([later]), `the English tab stop is on group ${stop.join(',')}, not ${later}`);
    await page.keyboard.press('Tab');
    const now = await page.evaluate(() => [document.activeElement.closest('p')?.className, document.activeElement.dataset.a]);
    assert(now[0] === 'tgt' && now[1] === later, `Tab went to ${now.join(' ')}`);
    await page.keyboard.press('Escape');
    await page.evaluate(() => document.activeElement.blur());
  });
}

// One h1 in every mode and at both widths, and the notice of who translated always visible.
async function checkEveryMode(page, slug, { machine = false } = {}) {
  for (const viewport of [WIDE, NARROW]) {
    await page.setViewportSize(viewport);
    for (const mode of MODES) {
      await check(`${slug}: ${mode} at ${viewport.width}px has one visible h1, the credit, and the translation notice`, async () => {
        await page.evaluate((m) => localStorage.setItem('paralelo-mode', m), mode);
        await page.reload();
        const h1 = await page.locator('h1').evaluateAll((hs) => hs.map((h) => h.checkVisibility() && h.innerText.trim().length > 0));
        assert(h1.length === 1 && h1[0], `h1 elements: ${h1.length}, visible with text: ${h1}`);
        const credit = page.locator('figcaption .credit');
        if ((await credit.count()) > 0) assert(await credit.isVisible(), 'the photo credit is hidden');
        const notice = page.locator('.labels .tgt');
        if (machine || mode !== 'original') {
          assert(await notice.isVisible(), `the translation notice is hidden`);
          const text = await notice.innerText();
          if (machine) assert(/machine translation/i.test(text), `the notice says ${text}`);
        }
        if (machine) await shoot(page, `${slug}-machine-${mode}-${viewport.width}.png`);
      });
    }
  }
  await page.evaluate(() => localStorage.setItem('paralelo-mode', 'side'));
  await page.setViewportSize(WIDE);
  await page.reload();
}

// Prints the page as Chromium does and counts the A4 pages.
async function checkPrint(context, url, slug) {
  await check(`${slug}: prints on at most 2 A4 pages, without the bar, the hint or the vocabulary`, async () => {
    const page = await context.newPage();
    await page.goto(url);
    await page.emulateMedia({ media: 'print' });
    const shown = await page.evaluate(() =>
      ['.bar', '.hint', 'details.vocabulary', 'a[download]', '.sources'].filter((sel) =>
        [...document.querySelectorAll(sel)].some((el) => el.checkVisibility()),
      ),
    );
    // Back to no emulation: with `screen` emulated, page.pdf() would print the screen's style.
    await page.emulateMedia({ media: null });
    assert(shown.length === 0, `printed: ${shown.join(', ')}`);
    const pdf = await page.pdf({ format: 'A4' });
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) || []).length;
    console.log(`# ${slug} prints on ${pages} A4 pages`);
    await page.close();
    assert(pages >= 1 && pages <= 2, `${pages} pages`);
  });
}

// Without JavaScript the page reads side by side, and the closed vocabulary list says how to get
// its words and its Anki file.
async function checkNoScript(browser, url, slug) {
  await check(`${slug}: without JavaScript, both columns and a vocabulary that says how to see it`, async () => {
    const context = await browser.newContext({ viewport: WIDE, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(url);
    const columns = await visible(page, '.pair > p[data-p]');
    assert(columns.length > 0 && columns.every(Boolean), 'a paragraph is hidden without JavaScript');
    assert(await page.locator('.labels .tgt').isVisible(), 'the translation notice is hidden');
    if ((await page.locator('details.vocabulary').count()) > 0) {
      await page.locator('details.vocabulary > summary').click();
      assert(await page.locator('details.vocabulary .needs-js').isVisible(), 'the list does not say it needs JavaScript');
      assert(!(await page.locator('details.vocabulary .download').isVisible()), 'a download button that cannot work');
    }
    await context.close();
  });
}

async function visible(page, selector) {
  return page.locator(selector).evaluateAll((els) => els.map((el) => el.checkVisibility()));
}

async function checkModes(page, slug) {
  const k = (await pairNumbers(page))[0];
  const src = page.locator(`p.src[data-p="${k}"]`);
  const tgt = page.locator(`p.tgt[data-p="${k}"]`);
  const expectations = {
    side: async () => {
      assert((await src.isVisible()) && (await tgt.isVisible()), 'both columns should show');
      const [s, t] = [await box(src), await box(tgt)];
      assert(Math.abs(s.y - t.y) <= TOLERANCE && t.x > s.x, `src at ${s.x},${s.y}; tgt at ${t.x},${t.y}`);
    },
    interleaved: async () => {
      assert((await src.isVisible()) && (await tgt.isVisible()), 'both languages should show');
      const [s, t] = [await box(src), await box(tgt)];
      assert(t.y >= s.y + s.height - TOLERANCE, `tgt top ${t.y}, src bottom ${s.y + s.height}`);
    },
    original: async () => {
      assert(!(await visible(page, '.pair > p.tgt[data-p]')).some(Boolean), 'a translation shows');
      assert((await visible(page, '.pair > p.src[data-p]')).every(Boolean), 'an original paragraph is hidden');
      // A tap on a glossed word shows its gloss; a tap elsewhere in the paragraph reveals.
      const spot = { position: await offWordSpot(src) };
      await src.click(spot);
      assert(await tgt.isVisible(), `clicking paragraph ${k} does not show its translation`);
      await src.click(spot);
      assert(!(await tgt.isVisible()), `clicking paragraph ${k} again does not hide its translation`);
      const reveal = src.locator('button.reveal');
      await reveal.focus();
      await page.keyboard.press('Enter');
      assert(await tgt.isVisible(), `Enter on paragraph ${k}'s reveal button does not show its translation`);
      assert((await reveal.getAttribute('aria-expanded')) === 'true', 'the reveal button is not aria-expanded');
      const others = (await visible(page, '.pair > p.tgt[data-p]')).filter(Boolean).length;
      assert(others === 1, `${others} translations show after revealing one`);
      await page.keyboard.press('Enter');
      assert(!(await tgt.isVisible()), 'Enter again does not hide the translation');
    },
    translation: async () => {
      assert(!(await visible(page, '.pair > p.src[data-p]')).some(Boolean), 'an original paragraph shows');
      assert((await visible(page, '.pair > p.tgt[data-p]')).every(Boolean), 'a translation is hidden');
    },
  };
  for (const mode of MODES) {
    await check(`${slug}: mode ${mode}`, async () => {
      await page.click(`.controls button[data-mode="${mode}"]`);
      const active = await page.getAttribute('html', 'data-mode');
      assert(active === mode, `html[data-mode] is ${active}`);
      const pressed = await page.locator('.controls button[aria-pressed="true"][data-mode]').getAttribute('data-mode');
      assert(pressed === mode, `the pressed button is ${pressed}`);
      await expectations[mode]();
      if (mode !== 'side') await shoot(page, `${slug}-${mode}-${WIDE.width}.png`); // side: see the axe shots
      await page.reload();
      const kept = await page.getAttribute('html', 'data-mode');
      assert(kept === mode, `after a reload html[data-mode] is ${kept}`);
      await expectations[mode]();
    });
  }
  await page.click('.controls button[data-mode="side"]');
}

/// A point inside `paragraph` on text that is no glossed word: its last mark of punctuation.
async function offWordSpot(paragraph) {
  return paragraph.evaluate((p) => {
    const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
    let last = null;
    while (walker.nextNode()) {
      const node = walker.currentNode;
      if (node.textContent.trim() && !node.parentElement.closest('g-w, .reveal')) last = node;
    }
    const range = document.createRange();
    const end = last.textContent.trimEnd().length;
    range.setStart(last, end - 1);
    range.setEnd(last, end);
    const [mark, box] = [range.getBoundingClientRect(), p.getBoundingClientRect()];
    return { x: mark.x - box.x + mark.width / 2, y: mark.y - box.y + mark.height / 2 };
  });
}

async function checkGlosses(page, slug) {
  await check(`${slug}: the headline's and the caption's words are glossed too`, async () => {
    for (const where of ['h1 .src', 'figcaption .src']) {
      const words = page.locator(`${where} g-w`);
      if (where.startsWith('figcaption') && (await page.locator(where).count()) === 0) continue;
      assert((await words.count()) > 0, `no glossed word in ${where}`);
      const word = words.nth(Math.min(1, (await words.count()) - 1));
      await word.click();
      const text = await page.locator('.gloss').textContent();
      assert((await page.locator('.gloss').isVisible()) && text.includes(await word.textContent()), `a tap on ${where}'s "${await word.textContent()}" shows ${text}`);
      await page.keyboard.press('Escape');
    }
  });
  await check(`${slug}: tapping a word shows its gloss, Escape hides it`, async () => {
    await page.locator('.controls button[data-mode="side"]').click();
    const words = page.locator('.pair > p.src[data-p] g-w');
    assert((await words.count()) > 0, 'no glossed words');
    const word = words.nth(1);
    await word.click();
    const popover = page.locator('.gloss');
    assert(await popover.isVisible(), 'no popover after a tap on a word');
    const text = await popover.textContent();
    assert(text.includes(await word.textContent()) && (await popover.locator('li').count()) >= 1, `popover says ${text}`);
    await page.keyboard.press('Escape');
    assert(!(await popover.isVisible()), 'Escape leaves the popover open');
    await word.focus();
    assert(await popover.isVisible(), 'focusing a word by keyboard shows no gloss');
    await page.keyboard.press('Escape');
  });
  await check(`${slug}: the vocabulary list is closed, opens, sorts both ways with aria-sort, links its CSV`, async () => {
    const details = page.locator('details.vocabulary');
    assert((await details.count()) === 1, 'no details.vocabulary');
    assert(!(await details.evaluate((d) => d.open)), 'the vocabulary list is open by default');
    const summary = await page.locator('details.vocabulary > summary').textContent();
    const rows = page.locator('details.vocabulary tbody tr');
    assert(summary.includes(String(await rows.count())), `the summary "${summary}" does not say how many words`);
    await page.locator('details.vocabulary > summary').click();
    const header = page.locator('details.vocabulary th.lemma');
    await header.locator('button').click();
    assert((await header.getAttribute('aria-sort')) === 'ascending', 'no aria-sort="ascending" after sorting');
    const firsts = await page.locator('details.vocabulary tbody td.lemma b').allTextContents();
    const sorted = [...firsts].sort((a, b) => a.localeCompare(b, 'es'));
    assert(JSON.stringify(firsts) === JSON.stringify(sorted), 'not sorted by word');
    await header.locator('button').click();
    assert((await header.getAttribute('aria-sort')) === 'descending', 'no aria-sort="descending" after sorting again');
    const lemmas = new Set(firsts);
    for (const dropped of ['haber', 'ser', 'presidente', 'contacto', 'tecnología']) {
      assert(!lemmas.has(dropped), `${dropped} is in the study list`);
    }
    const english = await page.locator('details.vocabulary tbody span.en:not([hidden])').allTextContents();
    assert(english.length > 0 && new Set(english).size === english.length, 'an English sentence shows in full twice');
    // The Anki file is made in the browser from the same rows, in the article's order.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('button.download').click()]);
    assert(/\.csv$/.test(download.suggestedFilename()), `the CSV is saved as ${download.suggestedFilename()}`);
    const csv = await readFile(await download.path(), 'utf8');
    const lines = csv.split('\r\n').filter(Boolean);
    assert(lines[0] === '#separator:comma' && lines[1] === '#html:true', `the CSV starts ${lines.slice(0, 2)}`);
    assert(lines.length - 2 === (await rows.count()), `${lines.length - 2} CSV rows for ${await rows.count()} words`);
    assert(lines.slice(2).every((l) => /<b>.+<\/b>/.test(l)), 'a CSV row without its example');
    assert(lines.slice(2).some((l) => /<br><i>[^<]+<\/i>"?$/.test(l)), 'no CSV row with the English sentence');
    for (const lemma of firsts) assert(lines.some((l) => l.startsWith(`${lemma},`) || l.startsWith(`"${lemma}",`)), `${lemma} is not in the CSV`);
    await page.setViewportSize(NARROW);
    const broken = await page.locator('details.vocabulary td').evaluateAll((tds) =>
      tds.filter((td) => td.checkVisibility() && td.scrollWidth > td.clientWidth + 1).map((td) => td.textContent.slice(0, 30)),
    );
    assert(broken.length === 0, `cells wider than their box at ${NARROW.width}px: ${broken.join(' | ')}`);
    await noHorizontalScroll(page);
    await page.setViewportSize(WIDE);
    await page.locator('details.vocabulary > summary').click();
  });
  await check(`${slug}: at ${NARROW.width}px a word on the last visible line opens its card inside the viewport`, async () => {
    await page.setViewportSize(NARROW);
    // The text's first paragraph at the top (above it: headline, photo, labels, word counts).
    await page.evaluate(() => document.querySelector('.pair > .src[data-p]').scrollIntoView());
    const index = await page.evaluate(() => {
      const words = [...document.querySelectorAll('.pair > .src[data-p] g-w')];
      let best = -1;
      let top = -1;
      words.forEach((w, i) => {
        const r = w.getBoundingClientRect();
        if (r.top > 60 && r.bottom <= window.innerHeight && r.top > top) [best, top] = [i, r.top];
      });
      return best;
    });
    assert(index >= 0, 'no word on the screen');
    await page.locator('.pair > .src[data-p] g-w').nth(index).click();
    const card = await page.locator('.gloss').evaluate((c) => c.getBoundingClientRect().toJSON());
    const { width, height } = NARROW;
    assert(
      card.top >= 0 && card.left >= 0 && card.bottom <= height && card.right <= width && card.height > 0,
      `the card is at ${JSON.stringify(card)} in a ${width}×${height} viewport`,
    );
    await shoot(page, `${slug}-card-${NARROW.width}.png`);
    await page.keyboard.press('Tab');
    assert(!(await page.locator('.gloss').isVisible()), 'the card stays open after Tab moves the focus away');
    await page.setViewportSize(WIDE);
  });
}

async function checkThemeButton(page, slug) {
  await check(`${slug}: the theme button switches to dark and back, and is remembered`, async () => {
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const light = await background();
    const theme = async () => {
      if (!(await page.locator('button.theme').isVisible())) await page.click('.menu summary');
      await page.click('button.theme');
    };
    await theme();
    assert((await page.getAttribute('html', 'data-theme')) === 'dark', 'html[data-theme] is not dark');
    const dark = await background();
    assert(dark !== light, `the background stays ${dark}`);
    await page.reload();
    assert((await background()) === dark, 'the dark theme is forgotten on reload');
    await theme();
    assert((await background()) === light, `back to light, the background is ${await background()}`);
  });
}

// Runs axe-core on a fresh page of `context` in each colour scheme, after `prepare(page)`.
async function checkAxe(context, url, name, { viewport = WIDE, prepare = async () => {} } = {}) {
  for (const scheme of ['light', 'dark']) {
    const label = `${name}${scheme === 'dark' ? '-dark' : ''}-${viewport.width}`;
    await check(`${label}: axe-core finds no violation`, async () => {
      const page = await context.newPage();
      await page.setViewportSize(viewport);
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(url);
      await prepare(page);
      await page.addScriptTag({ path: AXE_PATH });
      // preload: false keeps axe from fetching the stylesheets itself, which file:// forbids.
      const violations = await page.evaluate(async () => (await window.axe.run(document, { preload: false })).violations);
      await shoot(page, `${label}.png`);
      await page.close();
      assert(
        violations.length === 0,
        violations
          .map((v) =>
            [`${v.id} (${v.impact}): ${v.help} ${v.helpUrl}`]
              .concat(v.nodes.map((n) => `  ${n.target.join(' ')}: ${n.failureSummary.replace(/\n\s*/g, ' ')}`))
              .join('\n'),
          )
          .join('\n'),
      );
    });
  }
}

// A page in `mode`, as a reader who chose it before gets it.
const inMode = (mode) => async (page) => {
  await page.evaluate((m) => localStorage.setItem('paralelo-mode', m), mode);
  await page.reload();
};

// The learner's mode with one translation shown: the reveal buttons and a revealed pair.
async function revealFirst(page) {
  await page.click('.controls button[data-mode="original"]');
  await page.locator('.pair > p.src[data-p] button.reveal').first().click();
}

async function checkIndex(page, slugs) {
  await check('index: links to every article with a relative …/index.html href', async () => {
    await page.goto(pathToFileURL(join(siteDir, 'index.html')).href);
    const hrefs = await page.locator('main a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    for (const slug of slugs) {
      assert(hrefs.includes(`${slug}/index.html`), `no link to ${slug}/index.html among: ${hrefs.join(' ')}`);
    }
    await page.click(`a[href="${slugs[0]}/index.html"]`);
    const expected = pathToFileURL(join(siteDir, slugs[0], 'index.html')).href;
    assert(page.url() === expected, `the link opened ${page.url()}`);
    await page.click('a.home');
    assert(page.url() === pathToFileURL(join(siteDir, 'index.html')).href, `← All articles opened ${page.url()}`);
  });
}

const started = Date.now();
await mkdir(shotDir, { recursive: true });
const slugs = await articleSlugs();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
try {
  const context = await browser.newContext({ viewport: WIDE });
  const problems = watch(context);
  // axe-core arrives as an inline script, which the pages' CSP forbids: give it its own context.
  const axeContext = await browser.newContext({ viewport: WIDE, bypassCSP: true });
  const axeProblems = watch(axeContext);
  const page = await context.newPage();

  await check(`the site has article pages (${slugs.join(', ') || 'none'})`, () => assert(slugs.length > 0, `in ${siteDir}`));
  for (const slug of slugs) {
    const url = pathToFileURL(join(siteDir, slug, 'index.html')).href;
    await page.goto(url);
    await checkLayout(page, slug);
    await checkQuotations(page, slug);
    await checkHighlights(page, slug);
    await checkModes(page, slug);
    await checkGlosses(page, slug);
    await checkThemeButton(page, slug);
    await checkKeyboard(page, slug);
    await checkEveryMode(page, slug);
    await checkPrint(context, url, slug);
    await checkNoScript(browser, url, slug);
    for (const viewport of [WIDE, NARROW]) {
      for (const mode of ['side', 'interleaved', 'translation']) {
        await checkAxe(axeContext, url, `${slug}-${mode}`, { viewport, prepare: inMode(mode) });
      }
      await checkAxe(axeContext, url, `${slug}-original`, { viewport, prepare: revealFirst });
    }
  }
  if (machineDir) {
    const machineSlugs = (await readdir(machineDir, { withFileTypes: true }))
      .filter((e) => e.isDirectory() && !SITE_FOLDERS.includes(e.name) && existsSync(join(machineDir, e.name, 'index.html')))
      .map((e) => e.name);
    for (const slug of machineSlugs) {
      const url = pathToFileURL(join(machineDir, slug, 'index.html')).href;
      await page.goto(url);
      await checkEveryMode(page, `machine ${slug}`, { machine: true });
      await check(`machine ${slug}: names are not marked as untranslated`, async () => {
        const marked = await page.locator('.untranslated').allTextContents();
        for (const name of ['Zelenski', 'Volodimir', 'Takaichi', 'Sanae']) {
          assert(!marked.includes(name), `${name} is marked: ${marked.join(', ')}`);
        }
      });
      await checkAxe(axeContext, url, `machine-${slug}`, { viewport: NARROW, prepare: inMode('side') });
    }
  }
  await checkIndex(page, slugs);
  await checkAxe(axeContext, pathToFileURL(join(siteDir, 'index.html')).href, 'index');

  await check('no console error, no page error, no request off file://', () => {
    const all = new Set([...problems, ...axeProblems]);
    assert(all.size === 0, [...all].join('\n'));
  });
} finally {
  await browser.close();
}
console.log(`# ${result.failed} failed; screenshots in ${shotDir}; ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(result.failed ? 1 : 0);
