// Drives the learner's tools in Debian's Chromium on a two-article site served over HTTP
// (`paralelo serve`): word statuses and their keys, tints on both articles, reload, export and
// import, the learning CSV, the bulk "mark known" and its undo, the index's shares of new words,
// and listening with a stubbed speechSynthesis (with and without a Spanish voice). Prints one
// `ok - …` / `not ok - …` line a check; exits 1 on a failure.
//
// Usage: node learner.mjs <site-address ending in /> <screenshot-dir>

import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { assert, check, result } from './checks.mjs';

const [base, shotArg] = process.argv.slice(2);
if (!base || !shotArg) {
  console.error('usage: node learner.mjs <site-address> <screenshot-dir>');
  process.exit(2);
}
const shotDir = resolve(shotArg);
const AXE_PATH = fileURLToPath(new URL('node_modules/axe-core/axe.min.js', import.meta.url));
const WIDE = { width: 1280, height: 900 };
const NARROW = { width: 390, height: 844 };
const SPANISH = [{ lang: 'en-US', name: 'English' }, { lang: 'es-MX', name: 'Mexicano' }, { lang: 'es-ES', name: 'Español' }];
const FRENCH_ONLY = [{ lang: 'fr-FR', name: 'Français' }];


// A speechSynthesis that has `voices` and records what it is asked to say.
function stubSpeech(voices) {
  window.__spoken = [];
  const synth = {
    getVoices: () => voices,
    speak: (u) => window.__spoken.push({ text: u.text, lang: u.lang, rate: u.rate }),
    cancel: () => {},
    addEventListener: () => {},
  };
  Object.defineProperty(window, 'speechSynthesis', { value: synth, configurable: true });
  window.SpeechSynthesisUtterance = function (text) {
    this.text = text;
  };
}

async function context(browser, voices, options = {}) {
  const ctx = await browser.newContext({ viewport: WIDE, acceptDownloads: true, ...options });
  await ctx.addInitScript(stubSpeech, voices);
  ctx.on('page', (page) => {
    page.on('pageerror', (e) => {
      result.failed += 1;
      console.log(`not ok - page error on ${page.url()}: ${e.message}`);
    });
  });
  return ctx;
}

// The status attribute of every word of the page whose entry has `key` (lemma|class).
function statusesOf(page, key) {
  return page.evaluate((key) => {
    const table = JSON.parse(document.getElementById('glosses').textContent);
    return [...document.querySelectorAll('.pair > .src g-w')]
      .filter((w) => {
        const e = table[Number(w.getAttribute('g'))];
        return `${e[0]}|${e[1]}` === key;
      })
      .map((w) => w.getAttribute('s'));
  }, key);
}

// Focuses the `n`-th new content word of the text and gives its key.
function focusNew(page, n = 0) {
  return page.evaluate((n) => {
    const table = JSON.parse(document.getElementById('glosses').textContent);
    const word = document.querySelectorAll('.pair > .src g-w[s="new"]')[n];
    word.focus();
    const e = table[Number(word.getAttribute('g'))];
    return `${e[0]}|${e[1]}`;
  }, n);
}

const counts = (page) => page.textContent('.learner .counts');
const shares = (page) => page.$$eval('ol.articles > li', (lis) => lis.map((li) => li.getAttribute('data-new')));

async function download(page, click) {
  const [file] = await Promise.all([page.waitForEvent('download'), click()]);
  const path = join(tmpdir(), `paralelo-${process.pid}-${file.suggestedFilename()}`);
  await file.saveAs(path);
  return { path, name: file.suggestedFilename(), text: await readFile(path, 'utf8') };
}

async function axe(page, label) {
  await check(`${label}: axe-core finds no violation`, async () => {
    // Evaluated, not added as a script: the pages' CSP forbids inline scripts.
    await page.evaluate(await readFile(AXE_PATH, 'utf8'));
    const violations = await page.evaluate(async () => (await window.axe.run(document)).violations);
    assert(violations.length === 0, violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`).join('\n'));
  });
}

async function main() {
  await mkdir(shotDir, { recursive: true });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  const ctx = await context(browser, SPANISH);
  const page = await ctx.newPage();
  const a = `${base}a/index.html`;
  const b = `${base}b/index.html`;
  await page.goto(a);
  await page.waitForSelector('.learner .counts');
  let learning, known, ignored, before;

  await check('a new reader sees every word of the article new, with counts', async () => {
    before = await counts(page);
    assert(/^\d+ words in this article: (\d+) new, 0 learning, 0 known$/.test(before), before);
    const [total, fresh] = before.match(/\d+/g);
    assert(total === fresh, before);
  });

  await check('keys 2, K and I on a focused word set its status; the card shows it; Escape closes', async () => {
    learning = await focusNew(page, 0);
    await page.keyboard.press('2');
    assert((await statusesOf(page, learning)).every((s) => s === 'l2'), `${learning}: ${await statusesOf(page, learning)}`);
    assert(await page.isVisible('.gloss'), 'the card is shown');
    const pressed = await page.$eval('.gloss .statuses [aria-pressed="true"]', (b) => b.getAttribute('aria-label'));
    assert(pressed === 'Learning, level 2', pressed);
    known = await focusNew(page, 0);
    await page.keyboard.press('k');
    ignored = await focusNew(page, 0);
    await page.keyboard.press('I');
    assert((await statusesOf(page, known)).every((s) => s === 'known'), 'K marks known');
    assert((await statusesOf(page, ignored)).every((s) => s === 'ignored'), 'I marks ignored');
    await page.keyboard.press('Escape');
    assert(!(await page.isVisible('.gloss')), 'Escape closes the card');
    assert(/1 learning, 1 known$/.test(await counts(page)), await counts(page));
  });

  await check('the card\'s buttons set a status too', async () => {
    const key = await focusNew(page, 0);
    await page.click('.gloss .statuses button[aria-label="Learning, level 4"]');
    assert((await statusesOf(page, key)).every((s) => s === 'l4'), `${key}: ${await statusesOf(page, key)}`);
    await page.click('.gloss .statuses button:text-is("New")');
    assert((await statusesOf(page, key)).every((s) => s === 'new'), 'New makes it new again');
    await page.keyboard.press('Escape');
  });

  await check('statuses are not told by colour alone: new dotted, learning solid, known plain', async () => {
    const style = (s) => page.$eval(`.pair > .src g-w[s="${s}"]`, (w) => getComputedStyle(w).textDecorationStyle + ' ' + getComputedStyle(w).textDecorationLine);
    assert((await style('new')) === 'dotted underline', await style('new'));
    assert((await style('l2')) === 'solid underline', await style('l2'));
    assert((await style('known')).endsWith('none'), await style('known'));
  });

  await page.setViewportSize(WIDE);
  await focusNew(page, 0);
  await page.screenshot({ path: join(shotDir, 'learner-card-1280.png') });
  await page.keyboard.press('Escape');
  await axe(page, 'article with statuses, light');

  await check('the second article shows the statuses; a reload keeps them', async () => {
    await page.goto(b);
    await page.waitForSelector('.learner .counts');
    assert((await statusesOf(page, learning)).every((s) => s === 'l2'), `on b: ${await statusesOf(page, learning)}`);
    assert((await statusesOf(page, known)).every((s) => s === 'known'), 'known on b');
    await page.reload();
    await page.waitForSelector('.learner .counts');
    assert((await statusesOf(page, learning)).every((s) => s === 'l2'), 'after reload');
  });

  let exported;
  await check('export, clear the storage, import: the statuses come back', async () => {
    await page.click('details.menu summary');
    exported = await download(page, () => page.click('.word-tools .export'));
    const doc = JSON.parse(exported.text);
    assert(doc.version === 1 && doc.words[learning] === 2 && doc.words[known] === 'known', exported.text.slice(0, 200));
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.waitForSelector('.learner .counts');
    assert((await statusesOf(page, learning)).every((s) => s === 'new'), 'cleared');
    await page.setInputFiles('.word-tools .import-file', exported.path);
    await page.waitForFunction(() => /imported/.test(document.querySelector('.learner-note').textContent));
    assert((await statusesOf(page, learning)).every((s) => s === 'l2'), 'imported');
    assert((await statusesOf(page, ignored)).every((s) => s === 'ignored'), 'imported ignored');
  });

  await check('the learning words\' CSV has the word, its meaning, the sentence and its English', async () => {
    await page.click('details.menu summary');
    const csv = await download(page, () => page.click('.word-tools .learning-csv'));
    const lines = csv.text.split('\r\n');
    assert(lines[0] === '#separator:comma' && lines[1] === '#html:true', lines.slice(0, 2).join(' | '));
    assert(lines.length === 4 && lines[2].startsWith(learning.split('|')[0] + ','), csv.text);
    assert(/<b>.+<\/b>.*<br><i>.+<\/i>/.test(lines[2]), lines[2]);
  });

  let shareBefore;
  await check('the index shows each article\'s share of new words', async () => {
    await page.goto(base + 'index.html');
    await page.waitForFunction(() => document.querySelectorAll('ol.articles > li[data-new]').length === 2);
    shareBefore = await shares(page);
    assert(shareBefore.every((s) => Number(s) > 0 && Number(s) < 100), shareBefore.join());
    assert(/% new to you \(\d+ of \d+ words\)/.test(await page.textContent('.articles .share')), await page.textContent('.articles .share'));
  });

  await check('"mark the new words known" marks them all, and its undo gives them back; the index follows', async () => {
    await page.goto(a);
    await page.waitForSelector('.learner .counts');
    const fresh = await page.$$eval('.pair > .src g-w[s="new"]', (w) => w.length);
    assert(fresh > 0, 'new words before');
    await page.click('.learner .bulk');
    assert((await page.$$eval('.pair > .src g-w[s="new"]', (w) => w.length)) === 0, 'no new word left');
    assert(/ 0 new, 1 learning/.test(await counts(page)), await counts(page));
    const index = await ctx.newPage();
    await index.goto(base + 'index.html');
    await index.waitForFunction(() => document.querySelectorAll('ol.articles > li[data-new="0"]').length === 2);
    await index.check('.difficulty input[type="checkbox"]');
    assert((await index.$$eval('ol.articles > li:not([hidden])', (l) => l.length)) === 2, 'both easy now');
    await page.click('.learner .undo');
    assert((await page.$$eval('.pair > .src g-w[s="new"]', (w) => w.length)) === fresh, 'undo gives the new words back');
    // The open index hears of it (a storage event) and shows the shares of before.
    await index.waitForFunction((before) => JSON.stringify([...document.querySelectorAll('ol.articles > li')].map((li) => li.getAttribute('data-new'))) === before, JSON.stringify(shareBefore));
    assert((await index.$$eval('ol.articles > li:not([hidden])', (l) => l.length)) === 0, 'none under 10% after undo');
    await index.uncheck('.difficulty input[type="checkbox"]');
    await index.close();
  });
  await page.goto(base + 'index.html');
  await page.waitForFunction(() => document.querySelectorAll('ol.articles > li[data-new]').length === 2);
  await page.screenshot({ path: join(shotDir, 'learner-index-1280.png'), fullPage: true });
  await axe(page, 'index with shares');

  await check('a speaker per sentence speaks it in Spanish (es-ES), its twin in English; S speaks the focused sentence', async () => {
    await page.goto(a);
    await page.waitForSelector('.learner .counts');
    const speakers = await page.$$eval('.pair > .src .say', (b) => b.length);
    const sentences = await page.$$eval('.pair > .src[data-p]', (ps) => ps.length);
    assert(speakers >= sentences, `${speakers} speakers for ${sentences} paragraphs`);
    await page.click('.pair > .src .say');
    const expected = await page.evaluate(() => {
      const s = document.querySelector('.pair > .src[data-p] .s');
      return [...s.closest('p').querySelectorAll(`.s[data-a="${s.getAttribute('data-a')}"]`)].map((x) => x.textContent).join(' ').replace(/\s+/g, ' ').trim();
    });
    let spoken = await page.evaluate(() => window.__spoken);
    assert(spoken.length === 1 && spoken[0].text === expected && spoken[0].lang === 'es-ES', JSON.stringify(spoken) + ' vs ' + expected);
    assert((await page.$$eval('.s.speaking', (s) => s.length)) > 0, 'the spoken sentence is lit');
    await page.click('.pair > .tgt .say');
    spoken = await page.evaluate(() => window.__spoken);
    assert(spoken[1].lang === 'en-US', JSON.stringify(spoken[1]));
    await page.focus('.pair > .src .s[tabindex="0"]');
    await page.keyboard.press('s');
    spoken = await page.evaluate(() => window.__spoken);
    assert(spoken.length === 3 && spoken[2].text === expected, JSON.stringify(spoken[2]));
  });

  await check('the rate control sets the speech rate; the card speaks its word', async () => {
    await page.click('details.menu summary');
    await page.selectOption('.rate select', '0.6');
    await page.keyboard.press('Escape');
    await focusNew(page, 0);
    const form = await page.evaluate(() => document.activeElement.textContent);
    await page.click('.gloss .say-word');
    const spoken = await page.evaluate(() => window.__spoken.at(-1));
    assert(spoken.text === form && spoken.lang === 'es-ES' && spoken.rate === 0.6, JSON.stringify(spoken));
  });

  await check('the tints switch turns the colours off', async () => {
    await page.keyboard.press('Escape');
    await page.click('details.menu summary');
    await page.click('.word-tools .tints');
    const bg = await page.$eval('.pair > .src g-w[s="new"]', (w) => getComputedStyle(w).backgroundColor);
    assert(bg === 'rgba(0, 0, 0, 0)', bg);
    await page.click('.word-tools .tints');
  });

  for (const [theme, viewport] of [['dark', NARROW], ['light', NARROW], ['dark', WIDE]]) {
    const shotPage = await ctx.newPage();
    await shotPage.setViewportSize(viewport);
    await shotPage.emulateMedia({ colorScheme: theme });
    await shotPage.goto(a);
    await shotPage.waitForSelector('.learner .counts');
    await shotPage.evaluate(() => {
      const w = document.querySelector('.pair > .src g-w[s="new"]');
      w.scrollIntoView({ block: 'center' });
      w.focus();
    });
    await shotPage.screenshot({ path: join(shotDir, `learner-card-${theme}-${viewport.width}.png`) });
    await axe(shotPage, `article with statuses and card, ${theme}, ${viewport.width}px`);
    await shotPage.close();
  }

  await check('without a Spanish voice there are no speaker buttons, and the page works', async () => {
    const quiet = await context(browser, FRENCH_ONLY);
    const p = await quiet.newPage();
    await p.goto(a);
    await p.waitForSelector('.learner .counts');
    assert((await p.$$eval('.say, .say-word, .rate', (b) => b.length)) === 0, 'speaker buttons shown');
    await focusNew(p, 0);
    assert(await p.isVisible('.gloss .statuses'), 'the card still works');
    await quiet.close();
  });

  await browser.close();
  if (result.failed) {
    console.log(`${result.failed} check(s) failed`);
    process.exit(1);
  }
}

main().catch((error) => {
  console.log(`not ok - ${error.stack}`);
  process.exit(1);
});
