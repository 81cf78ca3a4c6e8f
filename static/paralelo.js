// paralelo: reading modes, theme, and the highlight that links a sentence or a quotation to its
// twin in the other language. The page reads fully without this file.
(function () {
  "use strict";

  var root = document.documentElement;
  var MODES = ["side", "interleaved", "original", "translation"];
  var MODE_KEY = "paralelo-mode";
  var THEME_KEY = "paralelo-theme";
  var SIZE_KEY = "paralelo-size";

  function load(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (e) {
      return null; // storage can be off (private windows, strict file:// settings)
    }
  }

  function save(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch (e) {
      // Remembering is a convenience; the page still works.
    }
  }

  // The reader's word statuses: one versioned JSON document per site (the build writes the
  // site's id on <html>), shared by every page of the site on one origin. `words` maps
  // "lemma|class" to 1–4 (learning), "known" or "ignored"; a new word has none. `cards` keeps
  // what the "learning" CSV needs of a word marked on some page.
  var site = root.getAttribute("data-site");
  var shared = (window.paralelo = window.paralelo || {});
  var VERSION = 1;
  shared.load = load;
  shared.save = save;
  shared.statuses = site && {
    key: "paralelo-words " + site,
    valid: function (doc) {
      return !!doc && doc.version === VERSION && typeof doc.words === "object" && !!doc.words;
    },
    load: function () {
      var doc = null;
      try {
        doc = JSON.parse(load(this.key) || "null");
      } catch (e) {
        doc = null; // a damaged document costs the statuses, not the page
      }
      doc = this.valid(doc) ? doc : { version: VERSION, words: {} };
      doc.cards = doc.cards || {};
      return doc;
    },
    save: function (doc) {
      save(this.key, JSON.stringify(doc));
    },
  };

  // Set before the body is drawn, so a remembered mode shows without a flash.
  var storedMode = load(MODE_KEY);
  if (MODES.indexOf(storedMode) >= 0) {
    root.setAttribute("data-mode", storedMode);
  }
  var storedTheme = load(THEME_KEY);
  if (storedTheme === "dark" || storedTheme === "light") {
    root.setAttribute("data-theme", storedTheme);
  }
  var storedSize = load(SIZE_KEY);
  if (storedSize && /^-?[0-3]$/.test(storedSize)) {
    root.setAttribute("data-size", storedSize);
  }
  root.classList.add("js");

  function all(selector, scope) {
    return Array.prototype.slice.call((scope || document).querySelectorAll(selector));
  }

  // On a phone, side by side and interleaved look the same: one button stands for both.
  var phone = window.matchMedia ? window.matchMedia("(max-width: 699px)") : { matches: false };

  function setMode(mode) {
    root.setAttribute("data-mode", mode);
    save(MODE_KEY, mode);
    showMode();
  }

  function showMode() {
    var mode = root.getAttribute("data-mode");
    if (phone.matches && mode === "interleaved") {
      mode = "side";
    }
    all(".controls button[data-mode]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-mode") === mode));
    });
  }

  // Text size, a step at a time, remembered.
  var SIZES = ["-2", "-1", "0", "1", "2", "3"];
  function setupSizes() {
    all("button[data-size]").forEach(function (button) {
      button.addEventListener("click", function () {
        var now = SIZES.indexOf(root.getAttribute("data-size") || "0");
        var next = SIZES[Math.max(0, Math.min(SIZES.length - 1, now + Number(button.getAttribute("data-size"))))];
        root.setAttribute("data-size", next);
        save(SIZE_KEY, next);
      });
    });
  }

  // The settings menu closes on Escape and on a click outside it.
  function setupMenu() {
    all("details.menu").forEach(function (menu) {
      document.addEventListener("click", function (event) {
        if (!menu.contains(event.target)) {
          menu.open = false;
        }
      });
      menu.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && menu.open) {
          menu.open = false;
          menu.querySelector("summary").focus();
        }
      });
    });
  }

  function isDark() {
    var theme = root.getAttribute("data-theme");
    if (theme) {
      return theme === "dark";
    }
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  }

  function setupTheme() {
    all("button.theme").forEach(function (button) {
      button.setAttribute("aria-pressed", String(isDark()));
      button.addEventListener("click", function () {
        var theme = isDark() ? "light" : "dark";
        root.setAttribute("data-theme", theme);
        save(THEME_KEY, theme);
        button.setAttribute("aria-pressed", String(theme === "dark"));
      });
    });
  }

  // Lights a sentence's alignment group and, inside a quotation, the quotation's twin.
  var lit = [];
  function light(element) {
    unlight();
    // A quotation may lie inside its sentence, or a sentence inside its quotation.
    var sentence = element.closest(".s");
    var group = sentence ? sentence.getAttribute("data-a") : null;
    if (group !== null) {
      lit = lit.concat(all('.s[data-a="' + group + '"]'));
    }
    var quote = element.closest("q.quote");
    if (quote) {
      lit = lit.concat(all('q.quote[data-quote="' + quote.getAttribute("data-quote") + '"]'));
    }
    lit.forEach(function (el) {
      el.classList.add(el.matches("q") ? "twin" : "lit");
    });
  }
  function unlight() {
    lit.forEach(function (el) {
      el.classList.remove("lit", "twin");
    });
    lit = [];
  }

  function target(event) {
    var el = event.target;
    return el && el.closest ? el.closest(".s, q.quote") : null;
  }

  // The first fragment of each sentence: a quotation splits a sentence into several `.s`
  // (same paragraph, same group), and the reader stops once a sentence.
  function stops(side) {
    var previous = null;
    return all(".pair > ." + side + "[data-p] .s").filter(function (s) {
      var key = s.closest("p").getAttribute("data-p") + "/" + s.getAttribute("data-a");
      var first = key !== previous;
      previous = key;
      return first;
    });
  }

  // One tab stop per column; arrow keys walk its sentences (a roving tab index), and the other
  // column's tab stop follows to the twin of the sentence the reader is on.
  function setupSentences() {
    var columns = { src: stops("src"), tgt: stops("tgt") };
    function rove(list, to) {
      list.forEach(function (s) {
        s.setAttribute("tabindex", s === to ? "0" : "-1");
      });
    }
    ["src", "tgt"].forEach(function (side) {
      var sentences = columns[side];
      var other = columns[side === "src" ? "tgt" : "src"];
      rove(sentences, sentences[0]);
      sentences.forEach(function (s, i) {
        s.addEventListener("focus", function () {
          rove(sentences, s);
          var twin = other.filter(function (t) {
            return t.getAttribute("data-a") === s.getAttribute("data-a");
          })[0];
          if (twin) {
            rove(other, twin);
          }
        });
        s.addEventListener("keydown", function (event) {
          var step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
          var next = step && event.target === s && sentences[i + step];
          if (next) {
            event.preventDefault();
            next.focus();
          }
        });
      });
    });
    var article = document.querySelector(".article");
    if (!article) {
      return;
    }
    article.addEventListener("mouseover", function (event) {
      var el = target(event);
      if (el) {
        light(el);
      }
    });
    article.addEventListener("mouseout", function (event) {
      if (target(event)) {
        unlight();
      }
    });
    article.addEventListener("focusin", function (event) {
      var el = target(event);
      if (el) {
        light(el);
      }
    });
    article.addEventListener("focusout", unlight);
  }

  // The learner's mode: the original alone, a paragraph's translation shown on request.
  function setupReveal() {
    all(".pair > .src[data-p]").forEach(function (paragraph) {
      var pair = paragraph.parentNode;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "reveal";
      button.lang = "en";
      button.textContent = "Translation";
      button.setAttribute("aria-expanded", "false");
      function toggle() {
        var open = pair.classList.toggle("revealed");
        button.setAttribute("aria-expanded", String(open));
      }
      button.addEventListener("click", function (event) {
        event.stopPropagation();
        toggle();
      });
      paragraph.addEventListener("click", function () {
        if (root.getAttribute("data-mode") === "original" && !window.getSelection().toString()) {
          toggle();
        }
      });
      paragraph.appendChild(button);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    all(".controls button[data-mode]").forEach(function (button) {
      button.addEventListener("click", function () {
        setMode(button.getAttribute("data-mode"));
      });
    });
    setMode(root.getAttribute("data-mode") || "side");
    if (phone.addEventListener) {
      phone.addEventListener("change", showMode);
    }
    setupTheme();
    setupSentences();
    setupReveal();
    setupSizes();
    setupMenu();
  });
})();
