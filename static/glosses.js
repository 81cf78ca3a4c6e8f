// paralelo: the learner's tools. Tap, click or focus an original word for a card with its
// dictionary form and meanings; the vocabulary list, laid out from the page's data. The page
// reads fully without this file.
(function () {
  "use strict";

  var root = document.documentElement;
  // What the other scripts of the page share: learner.js and speech.js add to the card.
  var shared = (window.paralelo = window.paralelo || {});
  shared.cardParts = shared.cardParts || [];
  var HINT_KEY = "paralelo-hint";
  var STEPS = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };

  function all(selector, scope) {
    return Array.prototype.slice.call((scope || document).querySelectorAll(selector));
  }

  function element(tag, className, text, lang) {
    var el = document.createElement(tag);
    if (className) {
      el.className = className;
    }
    if (text) {
      el.textContent = text;
    }
    if (lang) {
      el.lang = lang;
    }
    return el;
  }

  function remembered(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (e) {
      return null;
    }
  }

  function remember(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch (e) {
      // The page still works; it just forgets.
    }
  }

  function json(id) {
    var data = document.getElementById(id);
    try {
      return data ? JSON.parse(data.textContent) : null;
    } catch (e) {
      return null; // damaged data costs the glosses, not the page
    }
  }

  // The sentence fragments of `s`'s alignment group in its paragraph: a quotation splits a
  // sentence into several `.s`, which read as one.
  function runOf(s) {
    return all('.s[data-a="' + s.getAttribute("data-a") + '"]', s.closest("p"));
  }

  // The card: placed under the word, or above it when the screen has no room below, and kept
  // inside the viewport on every side.
  function place(card, word) {
    var margin = 8;
    var box = word.getBoundingClientRect();
    var width = document.documentElement.clientWidth;
    var height = window.innerHeight;
    var left = Math.max(margin, Math.min(box.left, width - card.offsetWidth - margin));
    var top = box.bottom + 6;
    if (top + card.offsetHeight > height - margin) {
      top = box.top - card.offsetHeight - 6;
    }
    top = Math.max(margin, Math.min(top, height - card.offsetHeight - margin));
    card.style.left = left + window.scrollX + "px";
    card.style.top = top + window.scrollY + "px";
  }

  function setupGlosses(table) {
    var sourceLang = root.getAttribute("lang");
    var popover = element("div", "gloss", "", "en");
    popover.setAttribute("role", "status");
    popover.hidden = true;
    document.body.appendChild(popover);

    function show(word) {
      var entry = table[Number(word.getAttribute("g"))];
      if (!entry) {
        return;
      }
      popover.textContent = "";
      var head = element("p", "gloss-head");
      head.appendChild(element("span", "gloss-form", word.textContent, sourceLang));
      head.appendChild(document.createTextNode(" · "));
      head.appendChild(element("b", "gloss-lemma", entry.lemma, sourceLang));
      popover.appendChild(head);
      var kind = entry.pos + (entry.details ? ", " + entry.details : "");
      popover.appendChild(element("p", "gloss-kind", kind));
      if (entry.here) {
        popover.appendChild(element("p", "gloss-here", "here: " + entry.here));
      }
      var list = element("ol", "gloss-meanings");
      entry.glosses.forEach(function (meaning) {
        list.appendChild(element("li", "", meaning));
      });
      popover.appendChild(list);
      shared.cardParts.forEach(function (part) {
        part(popover, entry, word);
      });
      popover.hidden = false;
      place(popover, word);
    }

    function hide() {
      popover.hidden = true;
    }
    shared.showCard = show;
    // A tap on the card's own buttons keeps it.
    popover.addEventListener("click", function (event) {
      event.stopPropagation();
    });

    // Every original word, in reading order: the headline's, the caption's, then the text's.
    var words = all(".src g-w");
    words.forEach(function (word, i) {
      word.setAttribute("tabindex", "-1");
      word.addEventListener("click", function (event) {
        // The tap is the word's: it does not also reveal the paragraph's translation.
        event.stopPropagation();
        show(word);
      });
      word.addEventListener("focus", function () {
        show(word);
      });
      word.addEventListener("keydown", function (event) {
        var step = STEPS[event.key];
        if (step && words[i + step]) {
          words[i + step].focus();
        } else if (event.key === "Escape") {
          hide();
          var sentence = word.closest(".s");
          if (sentence) {
            runOf(sentence)[0].focus();
          }
        } else {
          return;
        }
        event.preventDefault();
        event.stopPropagation();
      });
    });
    all(".pair > .src[data-p] .s").forEach(function (sentence) {
      sentence.addEventListener("keydown", function (event) {
        var first = sentence.querySelector("g-w");
        runOf(sentence).some(function (part) {
          first = part.querySelector("g-w");
          return first;
        });
        if (event.key === "Enter" && first && event.target === sentence) {
          event.preventDefault();
          first.focus();
        }
      });
    });
    // The card goes when the focus leaves the words, on Escape, and on a tap elsewhere.
    document.addEventListener("focusout", function (event) {
      var next = event.relatedTarget;
      if (!next || (next.localName !== "g-w" && !popover.contains(next))) {
        hide();
      }
    });
    document.addEventListener("click", hide);
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        hide();
      }
    });
    window.addEventListener("resize", hide);
  }

  // A one-line hint near the top, until the reader dismisses it.
  function setupHint() {
    var labels = document.querySelector(".labels");
    if (!labels || remembered(HINT_KEY) === "seen") {
      return;
    }
    var hint = element("p", "hint", "Tap a word for its meaning. ", "en");
    var close = element("button", "hint-close", "Got it");
    close.type = "button";
    close.addEventListener("click", function () {
      remember(HINT_KEY, "seen");
      hint.remove();
    });
    hint.appendChild(close);
    labels.parentNode.insertBefore(hint, labels.nextSibling);
  }

  // An example: up to five words either side of `word` in its sentence, and the sentence's
  // English twin.
  function example(word) {
    var run = runOf(word.closest(".s"));
    var range = document.createRange();
    range.setStartBefore(run[0]);
    range.setEndBefore(word);
    var before = range.toString().replace(/^\s+/, "");
    range.setStartAfter(word);
    range.setEndAfter(run[run.length - 1]);
    var after = range.toString().replace(/\s+$/, "");
    var kept = /(?:\S+\s+){0,5}\S*$/.exec(before)[0];
    var next = /^\S*(?:\s+\S+){0,5}/.exec(after)[0];
    var k = word.closest("p").getAttribute("data-p");
    var group = word.closest(".s").getAttribute("data-a");
    var english = all('.pair > .tgt[data-p="' + k + '"] .s[data-a="' + group + '"]')
      .map(function (s) {
        return s.textContent;
      })
      .join("")
      .replace(/\s+/g, " ")
      .trim();
    return {
      before: (kept.length < before.length ? "… " : "") + kept,
      word: word.textContent,
      after: next + (next.length < after.length ? " …" : ""),
      english: english,
    };
  }

  // Puts the rows in `body` in their order; an English sentence shows in full once, in the
  // first row that has it, and folded in the others.
  function lay(rows, body) {
    var shown = {};
    rows.forEach(function (row) {
      var full = row.tr.querySelector("span.en");
      var folded = row.tr.querySelector("details.en");
      if (full) {
        var first = !shown[full.textContent];
        shown[full.textContent] = true;
        full.hidden = !first;
        folded.hidden = first;
      }
      body.appendChild(row.tr);
    });
  }

  var COLUMNS = [
    { name: "#", key: "order", numeric: true },
    { name: "Word", key: "lemma" },
    { name: "Meaning", key: "meaning" },
    { name: "Times", key: "times", numeric: true },
    { name: "Example" },
  ];

  // The vocabulary list: one row an entry of the page's data, sortable by its first columns.
  function setupVocabulary(table, list) {
    var holder = document.querySelector(".vocabulary-list");
    if (!holder || !list) {
      return;
    }
    var sourceLang = root.getAttribute("lang");
    var byEntry = {};
    all(".pair > .src[data-p] g-w").forEach(function (word) {
      var g = word.getAttribute("g");
      (byEntry[g] = byEntry[g] || []).push(word);
    });
    var rows = [];
    list.forEach(function (item, i) {
      var entry = table[item[0]];
      var word = (byEntry[item[0]] || [])[item[2]];
      if (!entry || !word) {
        return;
      }
      var ex = example(word);
      var tr = element("tr");
      var lemma = element("td", "lemma", "", sourceLang);
      lemma.appendChild(element("b", "", entry.lemma));
      lemma.appendChild(element("span", "kind", entry.pos, "en"));
      var cell = element("td", "example");
      var es = element("span", "es", ex.before, sourceLang);
      es.appendChild(element("b", "", ex.word));
      es.appendChild(document.createTextNode(ex.after));
      cell.appendChild(es);
      if (ex.english) {
        cell.appendChild(element("span", "en", ex.english));
        var again = element("details", "en");
        again.appendChild(element("summary", "", "English"));
        again.appendChild(document.createTextNode(ex.english));
        cell.appendChild(again);
      }
      [element("td", "order", String(i + 1)), lemma, element("td", "meaning", entry.glosses.join("; ")), element("td", "times", String(item[1])), cell].forEach(function (td) {
        tr.appendChild(td);
      });
      rows.push({ tr: tr, order: i + 1, lemma: entry.lemma, meaning: entry.glosses.join("; "), times: item[1], example: ex });
    });
    var grid = element("table");
    var head = element("tr");
    var body = element("tbody");
    COLUMNS.forEach(function (column) {
      var th = element("th", column.key || "example");
      th.scope = "col";
      if (!column.key) {
        th.textContent = column.name;
      } else {
        var button = element("button", "sort", column.name);
        button.type = "button";
        th.appendChild(button);
        button.addEventListener("click", function () {
          var ascending = th.getAttribute("aria-sort") !== "ascending";
          rows.sort(function (a, b) {
            var x = a[column.key];
            var y = b[column.key];
            var order = column.numeric ? x - y : String(x).localeCompare(String(y), sourceLang);
            return ascending ? order : -order;
          });
          lay(rows, body);
          all("th[aria-sort]", grid).forEach(function (other) {
            other.removeAttribute("aria-sort");
          });
          th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        });
      }
      head.appendChild(th);
    });
    head.firstChild.setAttribute("aria-sort", "ascending");
    grid.appendChild(element("thead")).appendChild(head);
    lay(rows, body);
    grid.appendChild(body);
    holder.appendChild(grid);
    var download = document.querySelector("button.download");
    if (download) {
      download.addEventListener("click", function () {
        save(ankiCsv(rows), download.getAttribute("data-file"));
      });
    }
  }

  function html(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  // A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break.
  function field(text) {
    return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  // The list, in the article's order, as a CSV file for Anki's "Basic" note type: front the
  // word, back its meanings, the example with the word in bold and its English in italics. The
  // two header lines make Anki (2.1.55 and later) split on commas and read the back as HTML;
  // older versions skip them as comments.
  function ankiCsv(rows) {
    var lines = ["#separator:comma", "#html:true"];
    rows
      .slice()
      .sort(function (a, b) {
        return a.order - b.order;
      })
      .forEach(function (row) {
        var ex = row.example;
        var back = html(row.meaning) + "<br>" + html(ex.before) + "<b>" + html(ex.word) + "</b>" + html(ex.after);
        if (ex.english) {
          back += "<br><i>" + html(ex.english) + "</i>";
        }
        lines.push(field(html(row.lemma)) + "," + field(back));
      });
    return lines.join("\r\n") + "\r\n";
  }

  // Hands `text` to the browser as a file to save (CSV unless `type` says otherwise); made here, from the page's own data, so the
  // site holds no second copy of the list.
  function save(text, name, type) {
    var blob = new Blob([text], { type: type || "text/csv;charset=utf-8" });
    var link = element("a");
    link.href = URL.createObjectURL(blob);
    link.download = name || "vocabulary.csv";
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () {
      URL.revokeObjectURL(link.href);
    }, 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    // Each entry is [lemma, pos, details, [meanings…], here?].
    var table = (json("glosses") || []).map(function (entry) {
      return { lemma: entry[0], pos: entry[1], details: entry[2], glosses: entry[3] || [], here: entry[4] };
    });
    if (!table.length) {
      return;
    }
    shared.glosses = { table: table, example: example, ankiCsv: ankiCsv, save: save, element: element, all: all };
    setupGlosses(table);
    setupHint();
    setupVocabulary(table, json("vocabulary"));
  });
})();
