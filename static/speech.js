// paralelo: listening. A speaker button after each sentence and on the word card, spoken by the
// browser's own voices (Web Speech API): Spanish for the original (es-ES first), English for the
// translation, at the rate the "Aa" menu sets. No voice for a language, no buttons for it.
(function () {
  "use strict";

  var root = document.documentElement;
  var RATE_KEY = "paralelo-rate";
  var RATES = ["0.6", "0.8", "1", "1.2"];
  var PREFERRED = { es: "es-ES", en: "en-US" };
  var synth = window.speechSynthesis;

  function all(selector, scope) {
    return Array.prototype.slice.call((scope || document).querySelectorAll(selector));
  }

  // The voice for `lang` ("es", "en"): the preferred region's, else any of the language's.
  function voiceFor(lang, voices) {
    var base = lang.split("-")[0].toLowerCase();
    var tagged = voices.map(function (voice) {
      return { voice: voice, tag: String(voice.lang || "").replace("_", "-") };
    });
    var exact = tagged.filter(function (v) {
      return v.tag.toLowerCase() === (PREFERRED[base] || base).toLowerCase();
    })[0];
    var any = tagged.filter(function (v) {
      return v.tag.toLowerCase().split("-")[0] === base;
    })[0];
    var found = exact || any;
    return found ? { voice: found.voice, lang: found.tag } : null;
  }

  function rate() {
    var stored = (window.paralelo && window.paralelo.load(RATE_KEY)) || "1";
    return Number(RATES.indexOf(stored) >= 0 ? stored : "1");
  }

  var speaking = [];
  function unmark() {
    speaking.forEach(function (el) {
      el.classList.remove("speaking");
    });
    speaking = [];
  }

  // Speaks `text` with `voice`, lighting `parts` meanwhile.
  function speak(text, voice, parts) {
    synth.cancel();
    unmark();
    var utterance = new window.SpeechSynthesisUtterance(text.replace(/\s+/g, " ").trim());
    utterance.voice = voice.voice;
    utterance.lang = voice.lang;
    utterance.rate = rate();
    speaking = parts || [];
    speaking.forEach(function (el) {
      el.classList.add("speaking");
    });
    utterance.onend = unmark;
    utterance.onerror = unmark;
    synth.speak(utterance);
  }

  // Each sentence of a column, as the fragments a quotation may split it into.
  function sentences(side) {
    var runs = [];
    var previous = null;
    all(".pair > ." + side + "[data-p] .s").forEach(function (s) {
      var id = s.closest("p").getAttribute("data-p") + "/" + s.getAttribute("data-a");
      if (id !== previous) {
        runs.push([]);
      }
      runs[runs.length - 1].push(s);
      previous = id;
    });
    return runs;
  }

  function textOf(run) {
    return run
      .map(function (s) {
        return s.textContent;
      })
      .join(" ");
  }

  // A speaker button after each sentence of the column `side` (out of the tab order: the S key
  // speaks the focused sentence).
  function addButtons(side, voice, byFragment) {
    sentences(side).forEach(function (run) {
      var last = run[run.length - 1];
      var button = document.createElement("button");
      button.type = "button";
      button.className = "say";
      button.tabIndex = -1;
      button.lang = "en";
      button.setAttribute("aria-label", "Listen to this sentence");
      button.addEventListener("click", function (event) {
        event.stopPropagation();
        speak(textOf(run), voice, run);
      });
      last.parentNode.insertBefore(button, last.nextSibling);
      run.forEach(function (s) {
        byFragment.set(s, { run: run, voice: voice });
      });
    });
  }

  function setupRate(menu) {
    var label = document.createElement("label");
    label.className = "rate";
    label.textContent = "Speech ";
    var select = document.createElement("select");
    RATES.forEach(function (value) {
      var option = document.createElement("option");
      option.value = value;
      option.textContent = value + "×";
      select.appendChild(option);
    });
    select.value = String(rate());
    select.addEventListener("change", function () {
      window.paralelo.save(RATE_KEY, select.value);
    });
    label.appendChild(select);
    menu.appendChild(label);
  }

  var done = false;
  function setup() {
    var voices = synth.getVoices() || [];
    var source = voiceFor(root.getAttribute("lang") || "es", voices);
    if (done || !source) {
      return; // no voice yet: `voiceschanged` may bring one
    }
    done = true;
    var byFragment = new Map();
    addButtons("src", source, byFragment);
    var twin = document.querySelector(".pair > .tgt[data-p]");
    var target = twin && voiceFor(twin.getAttribute("lang") || "en", voices);
    if (target) {
      addButtons("tgt", target, byFragment);
    }
    var menu = document.querySelector(".menu-body");
    if (menu) {
      setupRate(menu);
    }
    var shared = (window.paralelo = window.paralelo || {});
    (shared.cardParts = shared.cardParts || []).push(function (card, entry, word) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "say-word";
      button.textContent = "Listen";
      button.setAttribute("aria-label", "Listen to " + word.textContent);
      button.addEventListener("click", function () {
        speak(word.textContent, source, [word]);
      });
      card.appendChild(button);
    });
    // S speaks the focused sentence, or the sentence of the focused word.
    document.addEventListener("keydown", function (event) {
      var s = event.target.closest && event.target.closest(".s");
      var found = s && byFragment.get(s);
      if (!found || event.key.toLowerCase() !== "s" || event.ctrlKey || event.metaKey || event.altKey) {
        return;
      }
      event.preventDefault();
      speak(textOf(found.run), found.voice, found.run);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!synth || !window.SpeechSynthesisUtterance || !document.querySelector(".pair > .src[data-p]")) {
      return;
    }
    setup();
    if (synth.addEventListener) {
      synth.addEventListener("voiceschanged", setup);
    }
  });
})();
