/* Client-side search over the index digest builds beside the search page
   (digest/search.py). Every index file is a script that calls
   digestSearch.<kind>(...), so it loads with a <script> tag: over HTTP and
   from file:// alike, where fetch() is blocked. Only the manifest and the
   shards a query needs are loaded. Results are built with textContent, never
   innerHTML: titles and summaries are text. */
(function () {
  "use strict";
  var list = document.getElementById("search-results");
  var input = document.getElementById("search-input");
  var status = document.getElementById("search-status");
  var more = document.getElementById("search-more");
  if (!list || !input) return;
  var PAGE = 20;
  var indexUrl = list.getAttribute("data-search-index");
  var base = indexUrl.slice(0, indexUrl.lastIndexOf("/") + 1);
  var siteRoot = list.getAttribute("data-site-root");
  // the page's words in its language (search.html): "%(query)s" and "%(num)s" are filled in here
  var messages = JSON.parse(list.getAttribute("data-messages") || "{}");
  // bare "en" reads day-month-year on the pages (digest/rules/locale.py): so it does here
  var lang = messages.lang || document.documentElement.lang || "en";
  if (lang === "en") lang = "en-001";
  var plurals = new Intl.PluralRules(lang);
  var numbers = new Intl.NumberFormat(lang);
  var dates = new Intl.DateTimeFormat(lang, {year: "numeric", month: "long", day: "numeric", timeZone: "UTC"});
  function say(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : all;
    });
  }
  function matches(n, query) {
    var forms = messages.matches || {};
    var form = forms[plurals.select(n)] || forms.other || "%(num)s";
    return say(form, {num: numbers.format(n), query: query});
  }
  // relative_urls builds link to index.html files, so pages open from file://
  var relative = /index\.html$/.test(siteRoot);
  var rootDir = siteRoot.replace(/index\.html$/, "");
  var loads = {};
  var waiting = {};
  var manifest = null;
  var shown = [];
  var generation = 0;

  function arrived(key, value) {
    if (waiting[key]) { waiting[key](value); delete waiting[key]; }
  }
  window.digestSearch = {
    index: function (data) { arrived("index", data); },
    terms: function (prefix, data) { arrived("t:" + prefix, data); },
    docs: function (number, data) { arrived("d:" + number, data); }
  };

  function load(key, src) {
    if (!loads[key]) {
      loads[key] = new Promise(function (resolve, reject) {
        waiting[key] = resolve;
        var script = document.createElement("script");
        script.src = src;
        script.async = true;
        script.onerror = function () {
          delete loads[key];
          delete waiting[key];
          reject(new Error("cannot load " + src));
        };
        document.head.appendChild(script);
      });
    }
    return loads[key];
  }

  // as digest/sources/searchterms.py: NFKD, drop marks (not kana voicing), NFC, lower case
  function normalise(text) {
    return text.normalize("NFKD").replace(/(?![\u3099\u309a])\p{Mn}/gu, "").normalize("NFC").toLowerCase();
  }

  // Chinese and Japanese runs become their overlapping pairs (the index holds every pair of the
  // text, and each run's last character); a one-character query matches the pairs it starts.
  function words(query) {
    var text = normalise(query);
    var grams = [];
    if (manifest.cjk) {
      text = text.replace(new RegExp("[" + manifest.cjk + "]+", "gu"), function (run) {
        var chars = Array.from(run);
        if (chars.length === 1) { grams.push(chars[0]); }
        for (var i = 0; i + 1 < chars.length; i++) { grams.push(chars[i] + chars[i + 1]); }
        return " ";
      });
    }
    var found = text.match(/[\p{L}\p{N}]+/gu) || [];
    var seen = new Set();
    return grams.concat(found.filter(function (w) {
      var n = Array.from(w).length;
      return !(n < manifest.min || manifest.stopSet.has(w));
    })).filter(function (w) {
      if (seen.has(w)) return false;
      seen.add(w);
      return true;
    });
  }

  // A word of 3+ characters (or a single Chinese/Japanese character) matches terms it starts;
  // a shorter one, or a pair of Chinese/Japanese characters, only a whole term.
  function isPrefix(word) {
    var n = Array.from(word).length;
    if (manifest.cjk && new RegExp("^[" + manifest.cjk + "]+$", "u").test(word)) return n === 1;
    return n >= 3;
  }

  // The shards that can hold terms matching `word`.
  function shardsFor(word) {
    var prefix = isPrefix(word);
    return Object.keys(manifest.terms).filter(function (s) {
      return word.indexOf(s) === 0 || (prefix && s.indexOf(word) === 0);
    });
  }

  function decode(deltas) {
    var out = new Array(deltas.length), id = 0;
    for (var i = 0; i < deltas.length; i++) { id += deltas[i]; out[i] = id; }
    return out;
  }

  function scoreWord(word, shards) {
    var prefix = isPrefix(word);
    var scores = new Map();
    shards.forEach(function (shard) {
      Object.keys(shard).forEach(function (term) {
        if (term === word || (prefix && term.indexOf(word) === 0)) {
          var exact = term === word ? 1 : 0;
          var lists = shard[term];
          [[lists[0], 3], [lists[1], 1]].forEach(function (pair) {
            decode(pair[0]).forEach(function (id) {
              var s = pair[1] + exact;
              if (!(scores.get(id) >= s)) scores.set(id, s);
            });
          });
        }
      });
    });
    return scores;
  }

  function run(query) {
    var mine = ++generation;
    var ws = words(query);
    if (!ws.length) {
      show(mine, query, [], false);
      if (query.trim()) status.textContent = messages.short;
      return Promise.resolve();
    }
    return Promise.all(ws.map(function (w) {
      return Promise.all(shardsFor(w).map(function (s) {
        return load("t:" + s, base + manifest.terms[s]);
      })).then(function (shards) { return scoreWord(w, shards); });
    })).then(function (perWord) {
      if (mine !== generation) return;
      perWord.sort(function (a, b) { return a.size - b.size; });
      var results = [];
      perWord[0].forEach(function (score, id) {
        var total = score;
        for (var i = 1; i < perWord.length; i++) {
          var s = perWord[i].get(id);
          if (s === undefined) return;
          total += s;
        }
        results.push([total, id]);
      });
      results.sort(function (a, b) { return b[0] - a[0] || b[1] - a[1]; });  // best, then newest
      shown = results.map(function (r) { return r[1]; });
      list.textContent = "";
      return show(mine, query, shown.slice(0, PAGE), true);
    });
  }

  function doc(id) {
    var number = Math.floor(id / manifest.chunk);
    return load("d:" + number, base + manifest.docs[number]).then(function (chunk) {
      return chunk[id - number * manifest.chunk];
    });
  }

  function link(path) {
    if (/^https?:\/\//.test(path)) return path;  // a link item without a page of its own
    return rootDir + path + (relative && /\/$/.test(path) ? "index.html" : "");
  }

  function show(mine, query, ids, searched) {
    if (!searched) {
      list.textContent = "";
      status.textContent = "";
      more.parentNode.hidden = true;
      return Promise.resolve();
    }
    return Promise.all(ids.map(doc)).then(function (docs) {
      if (mine !== generation) return;
      docs.forEach(function (d) {
        var li = document.createElement("li");
        li.className = "card";
        var h = document.createElement("h2");
        h.className = "card-title";
        var a = document.createElement("a");
        a.href = link(d[0]);
        a.textContent = d[1];
        h.appendChild(a);
        var meta = document.createElement("p");
        meta.className = "meta";
        var time = document.createElement("time");
        time.dateTime = d[2];
        time.textContent = dates.format(new Date(d[2] + "T00:00:00Z"));
        meta.appendChild(time);
        li.appendChild(h);
        li.appendChild(meta);
        if (d[3]) {
          var p = document.createElement("p");
          p.className = "summary";
          p.textContent = d[3];
          li.appendChild(p);
        }
        list.appendChild(li);
      });
      var n = shown.length;
      status.textContent = n === 0 ? say(messages.none, {query: query.trim()}) : matches(n, query.trim());
      more.parentNode.hidden = list.children.length >= n;
    });
  }

  more.addEventListener("click", function () {
    var mine = generation;
    show(mine, input.value, shown.slice(list.children.length, list.children.length + PAGE), true);
  });

  var timer = null;
  function onInput() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = input.value;
      if (window.history && history.replaceState) {
        var url = new URL(window.location.href);
        if (q) { url.searchParams.set("q", q); } else { url.searchParams.delete("q"); }
        try { history.replaceState(null, "", url.href); } catch (e) { /* file:// in some browsers */ }
      }
      run(q).catch(fail);
    }, 150);
  }

  function fail(error) {
    status.textContent = say(messages.unavailable, {error: error.message});
  }

  input.form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    run(input.value).catch(fail);
  });

  status.textContent = messages.loading;
  load("index", indexUrl).then(function (data) {
    manifest = data;
    manifest.stopSet = new Set(data.stop);
    status.textContent = "";
    input.addEventListener("input", onInput);
    var q = new URLSearchParams(window.location.search).get("q");
    if (q) { input.value = q; }
    if (input.value) { return run(input.value); }
  }).catch(fail);
})();
