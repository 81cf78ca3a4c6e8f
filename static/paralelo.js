// paralelo: reading modes, theme, and the highlight that links a sentence or a quotation to its
// twin in the other language. The page reads fully without this file.
(function () {
  "use strict";

  var root = document.documentElement;
  var MODES = ["side", "interleaved", "original", "translation"];
  var MODE_KEY = "paralelo-mode";
  var THEME_KEY = "paralelo-theme";

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

  // Set before the body is drawn, so a remembered mode shows without a flash.
  var storedMode = load(MODE_KEY);
  if (MODES.indexOf(storedMode) >= 0) {
    root.setAttribute("data-mode", storedMode);
  }
  var storedTheme = load(THEME_KEY);
  if (storedTheme === "dark" || storedTheme === "light") {
    root.setAttribute("data-theme", storedTheme);
  }
  root.classList.add("js");

  function all(selector, scope) {
    return Array.prototype.slice.call((scope || document).querySelectorAll(selector));
  }

  function setMode(mode) {
    root.setAttribute("data-mode", mode);
    save(MODE_KEY, mode);
    all(".controls button[data-mode]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-mode") === mode));
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
    all(".controls .theme").forEach(function (button) {
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
    var group = element.getAttribute("data-a");
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

  // One tab stop per column; arrow keys walk its sentences (a roving tab index).
  function setupSentences() {
    ["src", "tgt"].forEach(function (side) {
      var sentences = all(".pair > ." + side + "[data-p] .s");
      sentences.forEach(function (s, i) {
        s.setAttribute("tabindex", i === 0 ? "0" : "-1");
      });
      sentences.forEach(function (s, i) {
        s.addEventListener("keydown", function (event) {
          var step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
          var next = step && sentences[i + step];
          if (next) {
            event.preventDefault();
            s.setAttribute("tabindex", "-1");
            next.setAttribute("tabindex", "0");
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

  // Glosses: tap, click or focus an original word for its dictionary form and meanings. From a
  // focused sentence, Enter goes to its words; arrows move between them; Escape goes back.
  function setupGlosses() {
    var data = document.getElementById("glosses");
    if (!data) {
      return;
    }
    var table;
    try {
      table = JSON.parse(data.textContent);
    } catch (e) {
      return; // a damaged table costs the glosses, not the page
    }
    var sourceLang = root.getAttribute("lang");
    var popover = element("div", "gloss", "", "en");
    popover.setAttribute("role", "status");
    popover.hidden = true;
    document.body.appendChild(popover);

    function show(word) {
      var entry = table[Number(word.getAttribute("data-g"))];
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
      popover.hidden = false;
      var box = word.getBoundingClientRect();
      var left = Math.min(box.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - popover.offsetWidth - 8);
      popover.style.left = Math.max(8, left) + "px";
      popover.style.top = box.bottom + window.scrollY + 6 + "px";
    }

    function hide() {
      popover.hidden = true;
    }

    var words = all(".pair > .src[data-p] .w");
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
        var step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
        if (step && words[i + step]) {
          words[i + step].focus();
        } else if (event.key === "Escape") {
          hide();
          var sentence = word.closest(".s");
          if (sentence) {
            sentence.focus();
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
        var first = sentence.querySelector(".w");
        if (event.key === "Enter" && first) {
          event.preventDefault();
          first.focus();
        }
      });
    });
    document.addEventListener("click", hide);
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        hide();
      }
    });
  }

  // The vocabulary table sorts by any column, both ways.
  function setupVocabulary() {
    all("table.vocabulary-list th[data-sort]").forEach(function (th) {
      var button = element("button", "sort", th.textContent);
      button.type = "button";
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var table = th.closest("table");
        var column = Array.prototype.indexOf.call(th.parentNode.children, th);
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        var numeric = th.getAttribute("data-sort") === "number";
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[column].textContent;
          var y = b.cells[column].textContent;
          var order = numeric ? Number(x) - Number(y) : x.localeCompare(y, sourceLangOf());
          return ascending ? order : -order;
        });
        rows.forEach(function (row) {
          body.appendChild(row);
        });
        all("th[aria-sort]", table).forEach(function (other) {
          other.removeAttribute("aria-sort");
        });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      });
    });
  }

  function sourceLangOf() {
    return root.getAttribute("lang") || undefined;
  }

  document.addEventListener("DOMContentLoaded", function () {
    all(".controls button[data-mode]").forEach(function (button) {
      button.addEventListener("click", function () {
        setMode(button.getAttribute("data-mode"));
      });
    });
    setMode(root.getAttribute("data-mode") || "side");
    setupTheme();
    setupSentences();
    setupReveal();
    setupGlosses();
    setupVocabulary();
  });
})();
