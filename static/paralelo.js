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
  });
})();
