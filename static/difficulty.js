// paralelo: how hard each article of an index page is for this reader. The build gives each
// glossed article a level (its share of rare words); once the reader has marked words, each
// article's lemmas are loaded (its words.js) and its share of words new to them is shown. The
// list can be ordered easiest first and narrowed to articles with under 10% new words.
(function () {
  "use strict";

  var EASY = 10;

  function all(selector, scope) {
    return Array.prototype.slice.call((scope || document).querySelectorAll(selector));
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    el.className = className;
    el.textContent = text || "";
    return el;
  }

  // How hard an article is: its share of new words once known, its level until then.
  function hardness(li) {
    var share = li.getAttribute("data-new");
    return Number(share !== null ? share : li.getAttribute("data-level"));
  }

  document.addEventListener("DOMContentLoaded", function () {
    var list = document.querySelector("ol.articles");
    var items = all("ol.articles > li[data-level]");
    var store = (window.paralelo || {}).statuses;
    if (!list || !items.length) {
      return;
    }
    var doc = store ? store.load() : { words: {} };
    var order = all("ol.articles > li");

    function show(li) {
      var words = li.lemmas;
      var fresh = words.filter(function (k) {
        return doc.words[k] === undefined;
      }).length;
      var share = Math.round((100 * fresh) / words.length);
      li.setAttribute("data-new", String(share));
      var p = li.querySelector(".share") || li.querySelector(".level").insertAdjacentElement("afterend", element("p", "share"));
      p.lang = "en";
      p.textContent = share + "% new to you (" + fresh + " of " + words.length + " words)";
    }

    // Each article's words.js calls this with its lemmas.
    window.paraleloWords = function (lemmas) {
      var li = document.currentScript && document.currentScript.li;
      if (li && Array.isArray(lemmas) && lemmas.length) {
        li.lemmas = lemmas;
        show(li);
        arrange();
      }
    };

    var loaded = false;
    function load() {
      loaded = true;
      items.forEach(function (li) {
        var script = document.createElement("script");
        script.src = li.querySelector("a").getAttribute("href").replace(/index\.html$/, "words.js");
        script.li = li;
        document.head.appendChild(script);
      });
    }

    var controls = element("div", "difficulty");
    controls.lang = "en";
    controls.setAttribute("role", "group");
    controls.setAttribute("aria-label", "Order and filter by difficulty");
    var easiest = element("button", "easiest", "Easiest first");
    easiest.type = "button";
    easiest.setAttribute("aria-pressed", "false");
    var label = element("label", "easy", "");
    var only = document.createElement("input");
    only.type = "checkbox";
    label.appendChild(only);
    label.appendChild(document.createTextNode(" Under " + EASY + "% new words"));
    var shown = element("p", "shown");
    shown.setAttribute("role", "status");
    controls.appendChild(easiest);
    controls.appendChild(label);
    controls.appendChild(shown);
    list.parentNode.insertBefore(controls, list);

    function arrange() {
      var sorted = order.slice();
      if (easiest.getAttribute("aria-pressed") === "true") {
        sorted = order
          .filter(function (li) {
            return li.hasAttribute("data-level");
          })
          .sort(function (a, b) {
            return hardness(a) - hardness(b) || order.indexOf(a) - order.indexOf(b);
          })
          .concat(
            order.filter(function (li) {
              return !li.hasAttribute("data-level");
            })
          );
      }
      var count = 0;
      sorted.forEach(function (li) {
        li.hidden = only.checked && !(li.hasAttribute("data-level") && hardness(li) < EASY);
        count += li.hidden ? 0 : 1;
        list.appendChild(li);
      });
      shown.textContent = only.checked ? count + " of " + order.length + " articles shown" : "";
    }

    easiest.addEventListener("click", function () {
      easiest.setAttribute("aria-pressed", String(easiest.getAttribute("aria-pressed") !== "true"));
      arrange();
    });
    only.addEventListener("change", arrange);
    window.addEventListener("storage", function (event) {
      if (store && event.key === store.key) {
        doc = store.load();
        items.forEach(function (li) {
          if (li.lemmas) {
            show(li);
          }
        });
        if (!loaded && Object.keys(doc.words).length) {
          load();
        }
        arrange();
      }
    });
    // Loaded only for a reader who has marked words: for anyone else every word is new.
    if (Object.keys(doc.words).length) {
      load();
    }
  });
})();
