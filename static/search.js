// paralelo: search of the headlines and leads, in both languages, as the reader types. The
// index is scripts under search/ (see src/find/search.rs), loaded on demand with <script>
// elements, so it works from file:// where fetch() of a local file is refused: meta.js names
// the shards, each with the first page of articles its two letters find, t/<first two
// letters>.js holds each word's articles, d/<block>.js what a result shows. Words are folded as
// src/find/words.rs folds them: change both together.
// Each file costs the page tens of milliseconds however small it is, so a query answers at
// once (no wait for more keys), focusing the box loads meta.js and the newest blocks (as many
// as meta.js says) before the first key, two letters typed alone are answered from meta.js
// (their shard loads after, for the next key), which also holds what their first screenful
// shows when those blocks do not, and a page of results loads at most NEW_BLOCKS blocks it does
// not have yet.
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
  var NEW_BLOCKS = 3;
  var WORD = /[\p{Alphabetic}\p{N}]+/gu;

  function fold(word) {
    if (/^[\x00-\x7f]*$/.test(word)) {
      return word.toLowerCase();
    }
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

  // What the loaded files gave: meta, each shard's line of meta by key (its two letters'
  // first page), the rows meta holds by article number, shards by key (parsed as they come,
  // after the answer that asked for them, so that the next key need not), blocks (their text
  // until first read: a row a line, its fields split by tabs).
  var data = { meta: null, unions: {}, rows: {}, shards: {}, blocks: {} };
  var api = {
    m: function (meta) {
      data.meta = meta;
      meta.shards.split("\n").forEach(function (line) {
        data.unions[line.slice(0, line.indexOf(" "))] = line;
      });
      meta.rows.split("\n").forEach(function (line) {
        var tab = line.indexOf("\t");
        if (tab > 0) {
          data.rows[parseInt(line.slice(0, tab), 36)] = line.slice(tab + 1);
        }
      });
    },
    t: function (key, text) { data.shards[key] = parse(text); },
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

  // A shard's text as its sorted words and their numbers' text.
  function parse(text) {
    var parsed = { terms: [], numbers: [] };
    text.split("\n").forEach(function (line) {
      var space = line.indexOf(" ");
      parsed.terms.push(line.slice(0, space));
      parsed.numbers.push(line.slice(space + 1));
    });
    return parsed;
  }

  // A loaded shard; null if there is none.
  function shard(key) {
    return data.shards[key] || null;
  }

  // Marks in `seen` (by article number) the articles with a word of shard `s` that starts with
  // `prefix`, for the query's word `round`: seen[n] goes from round to round + 1 once.
  function match(s, prefix, round, seen) {
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
      // The numbers as base-36 gaps ("1 1 13 qo": 0, 1, 40, 1000), read a character at a time
      // and not kept: a 2-letter prefix reads a whole shard, tens of thousands of numbers.
      var gaps = s.numbers[i];
      var n = -1;
      var gap = 0;
      for (var k = 0; k <= gaps.length; k++) {
        var c = k < gaps.length ? gaps.charCodeAt(k) : 32;
        if (c !== 32) {
          gap = gap * 36 + (c <= 57 ? c - 48 : c - 87);
          continue;
        }
        n += gap;
        gap = 0;
        if (seen[n] === round) {
          seen[n] = round + 1;
        }
      }
    }
  }

  // What meta.js says of shard `key`'s two letters: how many articles have a word that starts
  // with them, and the newest of those, up to a page (the first by its number, each next by how
  // far below the one before, in base 36).
  function union(key) {
    var numbers = data.unions[key].split(" ").slice(1).map(function (n) { return parseInt(n, 36); });
    for (var i = 2; i < numbers.length; i++) {
      numbers[i] = numbers[i - 1] - numbers[i];
    }
    return { count: numbers[0], newest: numbers.slice(1) };
  }

  // The articles that have every word of `query` as a word or a word's start, newest first.
  function search(query) {
    var count = data.meta.count;
    var seen = new Uint8Array(count);
    query.forEach(function (prefix, round) {
      match(shard(shardKey(prefix)), prefix, round, seen);
    });
    var found = [];
    for (var n = count - 1; n >= 0; n--) {
      if (seen[n] === query.length) {
        found.push(n);
      }
    }
    return found;
  }

  // Whether a word of `text` starts with one of `query`.
  function matches(text, query) {
    return (text.match(WORD) || []).some(function (word) {
      var folded = fold(word);
      return query.some(function (q) { return folded.lastIndexOf(q, 0) === 0; });
    });
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

  // Whether what article `number`'s result shows is here: its block is loaded, or meta.js
  // has its row.
  function here(number) {
    return Boolean(data.blocks[Math.floor(number / data.meta.block)] || data.rows[number]);
  }

  // The fields of article `number`: [slug, original's headline, translation's, dateline,
  // original's lead, translation's, "1" when machine-translated], or null if they are not here.
  function fields(number) {
    var block = Math.floor(number / data.meta.block);
    var rows = data.blocks[block];
    if (typeof rows === "string") {
      rows = data.blocks[block] = rows.split("\n");
    }
    var r = rows ? rows[number % data.meta.block] : data.rows[number];
    return r ? r.split("\t") : null;
  }

  function setUp(form) {
    root = form.getAttribute("data-root") || "";
    var input = form.querySelector("input");
    var status = form.querySelector(".search-status");
    var list = form.querySelector(".search-results");
    var langs = [document.documentElement.lang || "es", "en"];
    var asked = 0;
    // The query answered: its text and words, the articles found so far (newest first) and how
    // many there are in all (more than found when the first page came from meta.js), how many
    // are shown, when the key was typed, and the shard to load once the answer is shown.
    var current = { text: "", query: [], found: [], total: 0, shown: 0 };

    function row(number, query) {
      var r = fields(number);
      var li = element("li");
      if (!r) {
        return li;
      }
      var link = element("a", "", langs[0]);
      link.href = root + r[0] + "/index.html";
      marked(link, r[1], query);
      li.appendChild(link);
      var twin = marked(element("p", "twin", langs[1]), r[2], query);
      if (r[6] === "1") {
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
      // One lead, the original's unless only the translation's has a match.
      var side = !matches(r[4], query) && matches(r[5], query) ? 1 : 0;
      li.appendChild(marked(element("p", "lead", langs[side]), r[4 + side], query));
      return li;
    }

    // Calls `then` once what the page shows now is painted, unless another key came since.
    function painted(ask, then) {
      requestAnimationFrame(function () {
        setTimeout(function () {
          if (ask === asked) {
            then();
          }
        }, 0);
      });
    }

    // How many results fill the screen under the list's top, by the height of those shown
    // last, or of the one focus measured (a guess before either). Asked once the status line
    // says how many there are (it moves the list), before the list changes: the browser lays
    // out only that line to say where the list starts.
    function screenful() {
      var room = window.innerHeight - list.getBoundingClientRect().top;
      return Math.min(PAGE, Math.max(1, Math.ceil(room / (rowHeight || 120))));
    }
    var rowHeight = null;

    // Once the answer's first screenful is painted: how long it took from the key (tests read
    // it); then `rest`, which calls back once it has shown the rest of the page; then, once
    // that is painted, what the answer is for (tests wait for it: the answer is whole) and the
    // shard the next key will want.
    function answered(ask, rest) {
      painted(ask, function () {
        api.took = performance.now() - current.started;
        rest(function () {
          painted(ask, function () {
            list.setAttribute("data-query", current.text);
            if (current.next) {
              load(current.next, function () {});
            }
          });
        });
      });
    }

    function nothing(done) {
      done();
    }

    // The blocks to load for articles `numbers`' results, as paths.
    function blocksOf(numbers) {
      var paths = {};
      numbers.forEach(function (n) {
        if (!here(n)) {
          paths["d/" + Math.floor(n / data.meta.block) + ".js"] = true;
        }
      });
      return Object.keys(paths);
    }

    // The next results, up to a page, newest first, stopping before one that would load a
    // block beyond NEW_BLOCKS new ones.
    function nextPage() {
      var next = [];
      var blocks = {};
      var fresh = 0;
      for (var i = current.shown; i < current.found.length && next.length < PAGE; i++) {
        var block = Math.floor(current.found[i] / data.meta.block);
        if (!here(current.found[i]) && !blocks[block]) {
          if (fresh === NEW_BLOCKS) {
            break;
          }
          fresh += 1;
          blocks[block] = true;
        }
        next.push(current.found[i]);
      }
      return next;
    }

    // Calls `done` once the shards of `query`'s words are loaded (those that exist).
    function withShards(query, done) {
      var keys = {};
      query.forEach(function (q) { keys[shardKey(q)] = true; });
      var paths = Object.keys(keys).filter(function (k) { return data.unions[k]; });
      loadAll(paths.map(function (k) { return "t/" + k + ".js"; }), done);
    }

    // The results of articles `numbers`, and "Show more" if `left` are not shown.
    function rows(numbers, left) {
      var items = numbers.map(function (n) { return row(n, current.query); });
      if (left > 0) {
        var li = element("li", "more");
        var button = element("button", "", "en");
        button.type = "button";
        button.textContent = "Show " + Math.min(left, PAGE) + " more of " + left;
        li.appendChild(button);
        items.push(li);
      }
      return items;
    }

    // Shows the next page of results; `fresh` replaces what the list showed. The results that
    // fill the screen come first, once their blocks are loaded, and the rest of the page once
    // those are painted (and its blocks loaded): what the browser loads, makes, lays out and
    // paints before the reader sees an answer is what the reader sees.
    function more(ask, fresh) {
      if (current.shown + PAGE > current.found.length && current.found.length < current.total) {
        // Past the first page that meta.js gave: the rest needs the shard.
        withShards(current.query, function () {
          if (ask === asked) {
            current.found = search(current.query);
            more(ask, fresh);
          }
        });
        return;
      }
      var next = nextPage();
      current.shown += next.length;
      var left = current.total - current.shown;
      var fit = next.length;
      if (fresh) {
        var found = current.total;
        say(found === 0 ? "No article found." : found === 1 ? "1 article found."
          : found + " articles found.");
        fit = screenful();
      }
      var head = next.slice(0, fit);
      var tail = next.slice(head.length);
      loadAll(blocksOf(head), function () {
        if (ask !== asked) {
          return;
        }
        // The whole page when its blocks are all here (they are when it is the page shown).
        var ready = blocksOf(tail).length === 0;
        var items = ready ? rows(next, left) : rows(head, 0);
        var rest = items.splice(head.length);
        if (!fresh) {
          var old = list.querySelector(".more");
          if (old) {
            old.remove();
          }
          items.concat(rest).forEach(function (li) { list.appendChild(li); });
          answered(ask, nothing);
          return;
        }
        // A key that leaves the answer as it was (the next letter of a word found already)
        // changes nothing on screen, so the browser has nothing to lay out again.
        var page = items.concat(rest);
        if (ready && list.children.length === page.length &&
            Array.prototype.every.call(list.children, function (li, i) {
              return li.isEqualNode(page[i]);
            })) {
          answered(ask, nothing);
          return;
        }
        list.replaceChildren.apply(list, items);
        answered(ask, function (done) {
          if (items.length > 0) {
            var top = list.firstElementChild.getBoundingClientRect().top;
            rowHeight = Math.max(40, (list.lastElementChild.getBoundingClientRect().bottom - top) /
              items.length);
          }
          loadAll(blocksOf(tail), function () {
            if (ask !== asked) {
              return;
            }
            (ready ? rest : rows(tail, left)).forEach(function (li) { list.appendChild(li); });
            done();
          });
        });
      });
    }

    function say(text) {
      if (status.textContent !== text) {
        status.textContent = text;
      }
    }

    list.addEventListener("click", function (event) {
      if (!event.target.closest(".more button")) {
        return;
      }
      var first = current.shown;
      var ask = asked;
      more(ask, false);
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

    // Answers what the box holds; `started` is when the reader typed it.
    function run(started) {
      asked += 1;
      var ask = asked;
      var text = input.value;
      var query = words(text).filter(function (w) { return Array.from(w).length >= MIN_LEN; });
      current = { text: text, query: query, found: [], total: 0, shown: 0, started: started };
      if (query.length === 0) {
        list.replaceChildren();
        say(input.value.trim() ? "Type at least two letters." : "");
        answered(ask, nothing);
        return;
      }
      load("meta.js", function () {
        if (ask !== asked) {
          return;
        }
        if (!data.meta) {
          say("The search files are missing.");
          return;
        }
        var key = shardKey(query[0]);
        if (query.length === 1 && Array.from(query[0]).length === MIN_LEN) {
          // Two letters alone: the first page is in meta.js; the shard, for the next key, loads
          // once the answer is shown.
          var known = data.unions[key] ? union(key) : { count: 0, newest: [] };
          current.found = known.newest;
          current.total = known.count;
          current.next = data.unions[key] && !data.shards[key] ? "t/" + key + ".js" : null;
          more(ask, true);
          return;
        }
        withShards(query, function () {
          if (ask !== asked) {
            return;
          }
          current.found = search(query);
          current.total = current.found.length;
          more(ask, true);
        });
      });
    }

    input.addEventListener("input", function (event) { run(event.timeStamp); });
    // Loaded while the reader moves to the box, not before (a page that is only read loads
    // nothing): the list of shards, the newest blocks (those most answers show first), and
    // the pattern of words, which the browser compiles on first use. Focus comes at once or
    // again on each visit, so this runs each time: what is loaded is not loaded again.
    input.addEventListener("focus", function () {
      words("a");
      // The browser compiles a loop well only once it has run: run the search's on a made-up
      // shard of 5,000 numbers, so that the first query runs compiled code.
      match(parse("w " + "1 ".repeat(4999) + "1"), "w", 0, new Uint8Array(5000));
      load("meta.js", function () {
        if (data.meta && data.meta.count > 0) {
          // The newest blocks, side by side; once the newest is here, a result made once, so
          // that the first answer runs compiled code too, and measured (added and taken away
          // before anything is painted), so that the first answer knows how many results fill
          // the screen.
          var newest = data.meta.count - 1;
          var last = Math.floor(newest / data.meta.block);
          load("d/" + last + ".js", function () {
            var li = row(newest, ["a"]);
            if (!rowHeight) {
              list.appendChild(li);
              rowHeight = Math.max(40, li.getBoundingClientRect().height);
              li.remove();
            }
          });
          for (var b = last - 1; b > last - data.meta.preload && b >= 0; b--) {
            load("d/" + b + ".js", function () {});
          }
        }
      });
    });
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
          run(event.timeStamp);
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
