// paralelo: the reader's word statuses on an article page: tints, counts, the card's status
// buttons and keys, "mark the rest known" with its undo, export and import, and the CSV of the
// words being learnt. Statuses stay in this browser (see paralelo.js); nothing is sent.
(function () {
  "use strict";

  var root = document.documentElement;
  // Statuses are for the words a learner studies: names and grammar words stay plain.
  var CONTENT = { noun: true, verb: true, adjective: true, adverb: true };
  var TINTS_KEY = "paralelo-tints";
  var DISK_KEY = "paralelo-disk-note";
  // Keys on a focused word, as in Lute: 1–4 learning, 5 or K known, I ignored, 0 new again.
  var KEYS = { 0: null, 1: 1, 2: 2, 3: 3, 4: 4, 5: "known", k: "known", i: "ignored" };
  var CHOICES = [
    [1, "1", "Learning, level 1"],
    [2, "2", "Learning, level 2"],
    [3, "3", "Learning, level 3"],
    [4, "4", "Learning, level 4"],
    ["known", "Known"],
    ["ignored", "Ignore"],
    [null, "New"],
  ];

  function key(entry) {
    return entry.lemma + "|" + entry.pos;
  }

  // A word's status as the tints name it: new, l1–l4, known or ignored.
  function status(doc, k) {
    var s = doc.words[k];
    return s === undefined ? "new" : typeof s === "number" ? "l" + s : s;
  }

  function button(make, className, text) {
    var b = make("button", className, text);
    b.type = "button";
    return b;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var shared = window.paralelo || {};
    var store = shared.statuses;
    var g = shared.glosses;
    if (!store || !g) {
      return;
    }
    var make = g.element;
    var table = g.table;
    function entryOf(word) {
      return table[Number(word.getAttribute("g"))];
    }
    var words = g.all(".src g-w").filter(function (word) {
      var entry = entryOf(word);
      return entry && CONTENT[entry.pos];
    });
    if (!words.length) {
      return;
    }
    var keys = {};
    words.forEach(function (word) {
      keys[key(entryOf(word))] = true;
    });
    keys = Object.keys(keys);
    var doc = store.load();

    // The counts and the bulk action, under the column labels.
    var bar = make("div", "learner", "", "en");
    var counts = make("p", "counts");
    counts.setAttribute("aria-live", "polite");
    var bulk = button(make, "bulk");
    var undo = button(make, "undo", "Undo");
    undo.hidden = true;
    var note = make("p", "learner-note");
    note.setAttribute("role", "status");
    bar.appendChild(counts);
    bar.appendChild(bulk);
    bar.appendChild(undo);
    bar.appendChild(note);
    var labels = document.querySelector(".labels");
    labels.parentNode.insertBefore(bar, labels.nextSibling);
    var undoing = [];

    function paint() {
      var tally = { new: 0, learning: 0, known: 0, ignored: 0 };
      words.forEach(function (word) {
        word.setAttribute("s", status(doc, key(entryOf(word))));
      });
      keys.forEach(function (k) {
        var s = status(doc, k);
        tally[s.charAt(0) === "l" ? "learning" : s] += 1;
      });
      counts.textContent =
        keys.length + " words in this article: " + tally.new + " new, " + tally.learning + " learning, " + tally.known + " known";
      bulk.textContent = "Mark the " + tally.new + " new words known";
      bulk.disabled = tally.new === 0;
    }

    function say(text) {
      note.textContent = text;
    }

    // Sets word `k`'s status (`null`: new again), keeping what the CSV needs of a word being
    // learnt from `word`, the occurrence it was marked on.
    function set(k, value, word) {
      doc = store.load();
      if (value === null) {
        delete doc.words[k];
      } else {
        doc.words[k] = value;
      }
      if (typeof value === "number" && word && !doc.cards[k]) {
        var entry = entryOf(word);
        // The example comes from the text (a headline's word has no sentence twin): the word's
        // first use there, if it is not this one.
        var inText = words.filter(function (w) {
          return w.closest(".s") && key(entryOf(w)) === k;
        });
        var at = word.closest(".s") ? word : inText[0];
        var example = at ? g.example(at) : { before: "", word: word.textContent, after: "" };
        doc.cards[k] = { lemma: entry.lemma, meaning: entry.glosses.join("; "), example: example };
      } else if (typeof value !== "number") {
        delete doc.cards[k];
      }
      store.save(doc);
      undo.hidden = true;
      paint();
    }

    // The card's status buttons, the current one pressed.
    shared.cardParts.push(function (card, entry, word) {
      if (!CONTENT[entry.pos]) {
        return;
      }
      var k = key(entry);
      var now = doc.words[k] === undefined ? null : doc.words[k];
      var row = make("p", "statuses");
      row.setAttribute("role", "group");
      row.setAttribute("aria-label", "Status (keys 1–5, K, I)");
      CHOICES.forEach(function (choice) {
        var b = button(make, "", choice[1]);
        if (choice[2]) {
          b.setAttribute("aria-label", choice[2]);
        }
        b.setAttribute("aria-pressed", String(now === choice[0]));
        b.addEventListener("click", function () {
          set(k, choice[0], word);
          word.focus();
          shared.showCard(word);
        });
        row.appendChild(b);
      });
      card.appendChild(row);
    });

    words.forEach(function (word) {
      word.addEventListener("keydown", function (event) {
        var name = event.key.length === 1 ? event.key.toLowerCase() : "";
        if (event.ctrlKey || event.metaKey || event.altKey || !(name in KEYS)) {
          return;
        }
        event.preventDefault();
        set(key(entryOf(word)), KEYS[name], word);
        shared.showCard(word);
      });
    });

    bulk.addEventListener("click", function () {
      doc = store.load();
      undoing = keys.filter(function (k) {
        return doc.words[k] === undefined;
      });
      undoing.forEach(function (k) {
        doc.words[k] = "known";
      });
      store.save(doc);
      paint();
      undo.hidden = false;
      say(undoing.length + " words marked known.");
    });
    undo.addEventListener("click", function () {
      doc = store.load();
      undoing.forEach(function (k) {
        if (doc.words[k] === "known") {
          delete doc.words[k];
        }
      });
      store.save(doc);
      undo.hidden = true;
      paint();
      say(undoing.length + " words are new again.");
      bulk.focus();
    });

    // Another page of the site changed the statuses.
    window.addEventListener("storage", function (event) {
      if (event.key === store.key) {
        doc = store.load();
        paint();
      }
    });

    setupMenu(shared, make, store, say, function () {
      doc = store.load();
      paint();
    });
    if (location.protocol === "file:" && shared.load(DISK_KEY) !== "seen") {
      var disk = make("p", "disk-note", "Opened from disk, Firefox keeps your word statuses for this page only (Chrome and Edge: for the folder). Use ");
      disk.appendChild(make("code", "", "paralelo serve"));
      disk.appendChild(document.createTextNode(" or a web host to keep them site-wide. "));
      var close = button(make, "hint-close", "Got it");
      close.addEventListener("click", function () {
        shared.save(DISK_KEY, "seen");
        disk.remove();
      });
      disk.appendChild(close);
      bar.appendChild(disk);
    }
    paint();
  });

  // The "Aa" menu's word tools: tints on or off, export, import, the learning words' CSV.
  function setupMenu(shared, make, store, say, reload) {
    var body = document.querySelector(".menu-body");
    if (!body) {
      return;
    }
    var tools = make("div", "word-tools");
    tools.setAttribute("role", "group");
    tools.setAttribute("aria-label", "Your words");
    var tints = button(make, "tints", "Word colours");
    function showTints(on) {
      root.setAttribute("data-tints", on ? "on" : "off");
      tints.setAttribute("aria-pressed", String(on));
    }
    showTints(shared.load(TINTS_KEY) !== "off");
    tints.addEventListener("click", function () {
      var on = root.getAttribute("data-tints") === "off";
      shared.save(TINTS_KEY, on ? "on" : "off");
      showTints(on);
    });
    var exporter = button(make, "export", "Export words");
    exporter.addEventListener("click", function () {
      shared.glosses.save(JSON.stringify(store.load()), "paralelo-words.json", "application/json");
    });
    var file = make("input", "import-file");
    file.type = "file";
    file.accept = ".json,application/json";
    file.hidden = true;
    var importer = button(make, "import", "Import words…");
    importer.addEventListener("click", function () {
      file.click();
    });
    file.addEventListener("change", function () {
      var chosen = file.files && file.files[0];
      if (!chosen) {
        return;
      }
      var reader = new FileReader();
      reader.onload = function () {
        var given = null;
        try {
          given = JSON.parse(reader.result);
        } catch (e) {
          given = null;
        }
        if (!store.valid(given)) {
          say(chosen.name + " is not a paralelo words file.");
          return;
        }
        // The file's statuses win over this browser's; words it does not name stay.
        var doc = store.load();
        Object.keys(given.words).forEach(function (k) {
          doc.words[k] = given.words[k];
        });
        Object.keys(given.cards || {}).forEach(function (k) {
          doc.cards[k] = given.cards[k];
        });
        store.save(doc);
        reload();
        say(Object.keys(given.words).length + " word statuses imported.");
      };
      reader.readAsText(chosen);
      file.value = "";
    });
    var csv = button(make, "learning-csv", "Learning words (CSV)");
    csv.addEventListener("click", function () {
      var doc = store.load();
      var rows = Object.keys(doc.cards)
        .filter(function (k) {
          return typeof doc.words[k] === "number";
        })
        .map(function (k, i) {
          var card = doc.cards[k];
          return { order: i, lemma: card.lemma, meaning: card.meaning, example: card.example };
        });
      shared.glosses.save(shared.glosses.ankiCsv(rows), "learning-words.csv");
    });
    [tints, exporter, importer, file, csv].forEach(function (el) {
      tools.appendChild(el);
    });
    body.appendChild(tools);
  }
})();
