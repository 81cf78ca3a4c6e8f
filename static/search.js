// paralelo: search of the headlines and leads, in both languages, as the reader types. The
// index is scripts under search/ (see src/find/search.rs), loaded on demand with <script>
// elements, so it works from file:// where fetch() of a local file is refused: meta.js names
// the shards, t/<first two letters>.js holds each word's articles, d/<block>.js what a result
// shows. Words are folded as src/find/words.rs folds them: change both together.
(function () {
  "use strict";

  var FOLDS = [
    ["àáâãäåāą", "a"], ["çćč", "c"], ["ďđ", "d"], ["èéêëēęě", "e"], ["ìíîïī", "i"], ["ł", "l"],
    ["ñńň", "n"], ["òóôõöøō", "o"], ["řŕ", "r"], ["śšş", "s"], ["ťţ", "t"], ["ùúûüūů", "u"],
    ["ýÿ", "y"], ["źžż", "z"], ["ß", "ss"]
  ];
  var FOLD = {};
  FOLDS.forEach(function (pair) {
    Array.from(pair[0]).forEach(function (c) { FOLD[c] = pair[1]; });
  });
  var MIN_LEN = 2;
  var PAGE = 10;
  var WORD = /[\p{Alphabetic}\p{N}]+/gu;

  function fold(word) {
    var out = "";
    Array.from(word.toLowerCase()).forEach(function (c) { out += FOLD[c] || c; });
    return out;
  }

  function words(text) {
    return (text.normalize("NFC").match(WORD) || []).map(fold);
  }

  function shardKey(word) {
    return Array.from(word).slice(0, MIN_LEN).map(function (c) {
      return /^[a-z0-9]$/.test(c) ? c : "_" + c.codePointAt(0).toString(16);
    }).join("");
  }

  // What the loaded files gave: meta, shards by key (their text until first read), blocks.
  var data = { meta: null, shards: {}, blocks: {} };
  var api = {
    m: function (meta) { data.meta = meta; },
    t: function (key, text) { data.shards[key] = text; },
    d: function (block, rows) { data.blocks[block] = rows; }
  };
  window.paraleloSearch = api;

  var root = "";
  var waiting = {};

  // Loads search/<path> once, then calls done (also when it cannot be loaded).
  function load(path, done) {
    if (waiting[path] === true) {
      done();
      return;
    }
    if (waiting[path]) {
      waiting[path].push(done);
      return;
    }
    waiting[path] = [done];
    var script = document.createElement("script");
    script.src = root + "search/" + path;
    script.onload = script.onerror = function () {
      var callbacks = waiting[path];
      waiting[path] = true;
      callbacks.forEach(function (f) { f(); });
    };
    document.head.appendChild(script);
  }

  function loadAll(paths, done) {
    var left = paths.length;
    if (left === 0) {
      done();
      return;
    }
    paths.forEach(function (path) {
      load(path, function () {
        left -= 1;
        if (left === 0) {
          done();
        }
      });
    });
  }

  // A shard as sorted words and their numbers' text, read on first use.
  function shard(key) {
    var text = data.shards[key];
    if (typeof text !== "string") {
      return text || null;
    }
    var lines = text.split("\n");
    var parsed = { terms: [], numbers: [] };
    lines.forEach(function (line) {
      var space = line.indexOf(" ");
      parsed.terms.push(line.slice(0, space));
      parsed.numbers.push(line.slice(space + 1));
    });
    data.shards[key] = parsed;
    return parsed;
  }

  // Marks in `seen` (by article number) the articles with a word that starts with `prefix`,
  // for the query's word `round`: seen[n] goes from round to round + 1 once.
  function match(prefix, round, seen) {
    var s = shard(shardKey(prefix));
    if (!s) {
      return;
    }
    var lo = 0;
    var hi = s.terms.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (s.terms[mid] < prefix) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    for (var i = lo; i < s.terms.length && s.terms[i].lastIndexOf(prefix, 0) === 0; i++) {
      var numbers = s.numbers[i];
      if (typeof numbers === "string") {
        // Decoded once, kept for the next keystroke.
        var gaps = numbers.split(" ");
        numbers = new Int32Array(gaps.length);
        var n = -1;
        for (var g = 0; g < gaps.length; g++) {
          n += parseInt(gaps[g], 36);
          numbers[g] = n;
        }
        s.numbers[i] = numbers;
      }
      for (var k = 0; k < numbers.length; k++) {
        if (seen[numbers[k]] === round) {
          seen[numbers[k]] = round + 1;
        }
      }
    }
  }

  // The articles that have every word of `query` as a word or a word's start, newest first.
  function search(query) {
    var count = data.meta.count;
    var seen = new Uint8Array(count);
    query.forEach(function (prefix, round) { match(prefix, round, seen); });
    var found = [];
    for (var n = count - 1; n >= 0; n--) {
      if (seen[n] === query.length) {
        found.push(n);
      }
    }
    return found;
  }

  // `text` into `parent`, each word that starts with one of `query` in a <mark>.
  function marked(parent, text, query) {
    var last = 0;
    text.replace(WORD, function (word, at) {
      var folded = fold(word);
      var hit = query.some(function (q) { return folded.lastIndexOf(q, 0) === 0; });
      if (hit) {
        parent.appendChild(document.createTextNode(text.slice(last, at)));
        var mark = document.createElement("mark");
        mark.textContent = word;
        parent.appendChild(mark);
        last = at + word.length;
      }
      return word;
    });
    parent.appendChild(document.createTextNode(text.slice(last)));
    return parent;
  }

  function element(name, className, lang) {
    var el = document.createElement(name);
    if (className) {
      el.className = className;
    }
    if (lang) {
      el.lang = lang;
    }
    return el;
  }

  function setUp(form) {
    root = form.getAttribute("data-root") || "";
    var input = form.querySelector("input");
    var status = form.querySelector(".search-status");
    var list = form.querySelector(".search-results");
    var langs = [document.documentElement.lang || "es", "en"];
    var asked = 0;
    var current = { text: "", query: [], found: [], shown: 0 };

    function row(number, query) {
      var block = Math.floor(number / data.meta.block);
      var r = data.blocks[block] && data.blocks[block][number % data.meta.block];
      var li = element("li");
      if (!r) {
        return li;
      }
      var link = element("a", "", langs[0]);
      link.href = root + r[0] + "/index.html";
      marked(link, r[1], query);
      li.appendChild(link);
      var twin = marked(element("p", "twin", langs[1]), r[2], query);
      if (r[6]) {
        var note = element("span", "machine-note", "en");
        note.textContent = " (machine translation)";
        twin.appendChild(note);
      }
      li.appendChild(twin);
      if (r[3]) {
        var date = element("p", "date", langs[0]);
        date.textContent = r[3];
        li.appendChild(date);
      }
      var lead = element("div", "lead");
      lead.appendChild(marked(element("p", "", langs[0]), r[4], query));
      lead.appendChild(marked(element("p", "", langs[1]), r[5], query));
      li.appendChild(lead);
      return li;
    }

    // Shows the next page of results, once their blocks are loaded.
    function more(ask) {
      var next = current.found.slice(current.shown, current.shown + PAGE);
      var blocks = {};
      next.forEach(function (n) { blocks[Math.floor(n / data.meta.block)] = true; });
      loadAll(Object.keys(blocks).map(function (b) { return "d/" + b + ".js"; }), function () {
        if (ask !== asked) {
          return;
        }
        var old = list.querySelector(".more");
        if (old) {
          old.remove();
        }
        next.forEach(function (n) { list.appendChild(row(n, current.query)); });
        current.shown += next.length;
        // What the results are for, and how long the query took in all (tests read them).
        api.took = performance.now() - current.started;
        list.setAttribute("data-query", current.text);
        var left = current.found.length - current.shown;
        if (left > 0) {
          var li = element("li", "more");
          var button = element("button", "", "en");
          button.type = "button";
          button.textContent = "Show " + Math.min(left, PAGE) + " more of " + left;
          button.addEventListener("click", function () {
            var first = current.shown;
            more(asked);
            // Focus follows to the first new result once it is there.
            var wait = setInterval(function () {
              var links = list.querySelectorAll("li > a");
              if (links[first] || ask !== asked) {
                clearInterval(wait);
                if (links[first]) {
                  links[first].focus();
                }
              }
            }, 20);
          });
          li.appendChild(button);
          list.appendChild(li);
        }
      });
    }

    function run() {
      asked += 1;
      var ask = asked;
      var started = performance.now();
      var text = input.value;
      var query = words(text).filter(function (w) { return Array.from(w).length >= MIN_LEN; });
      if (query.length === 0) {
        list.textContent = "";
        status.textContent = input.value.trim() ? "Type at least two letters." : "";
        return;
      }
      load("meta.js", function () {
        if (ask !== asked) {
          return;
        }
        if (!data.meta) {
          status.textContent = "The search files are missing.";
          return;
        }
        var known = {};
        data.meta.shards.split(" ").forEach(function (k) { known[k] = true; });
        var keys = {};
        query.forEach(function (q) { keys[shardKey(q)] = true; });
        var paths = Object.keys(keys).filter(function (k) { return known[k]; });
        loadAll(paths.map(function (k) { return "t/" + k + ".js"; }), function () {
          if (ask !== asked) {
            return;
          }
          var found = search(query);
          current = { text: text, query: query, found: found, shown: 0, started: started };
          list.textContent = "";
          status.textContent = found.length === 0 ? "No article found."
            : found.length === 1 ? "1 article found." : found.length + " articles found.";
          more(ask);
        });
      });
    }

    var timer = 0;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 60);
    });
    // Loaded while the reader moves to the box, not before: a page that is only read loads
    // nothing.
    input.addEventListener("focus", function () { load("meta.js", function () {}); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var first = list.querySelector("li > a");
      if (first) {
        first.focus();
      }
    });

    // Arrows move between the box and the results; Escape goes back to the box.
    form.addEventListener("keydown", function (event) {
      var links = Array.from(list.querySelectorAll("li > a, li.more button"));
      var at = links.indexOf(document.activeElement);
      var to = null;
      if (event.key === "ArrowDown") {
        to = at < 0 ? links[0] : links[at + 1];
      } else if (event.key === "ArrowUp" && at >= 0) {
        to = at === 0 ? input : links[at - 1];
      } else if (event.key === "Escape") {
        if (at >= 0) {
          to = input;
        } else if (input.value) {
          input.value = "";
          run();
          event.preventDefault();
        }
      }
      if (to) {
        to.focus();
        event.preventDefault();
      }
    });
    form.hidden = false;
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.from(document.querySelectorAll("form.search")).forEach(setUp);
  });
}());
