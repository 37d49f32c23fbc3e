// digest live reload: added to pages by `digest serve` only, never part of a build.
// The server sends its state ({epoch, error, css}) on connect and after every rebuild.
// A page reloads when the epoch is not the one it was served at, swaps stylesheets in
// place when only CSS changed, and shows the build error as an overlay until it is fixed.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__digestLiveReload) return;
  window.__digestLiveReload = "connecting"; // "connected" once the first state arrived
  var epoch = script.getAttribute("data-epoch");
  var eventsUrl = script.getAttribute("data-events");
  var workerUrl = script.getAttribute("data-worker");
  var OVERLAY = "digest-error-overlay";
  var SCROLL = "digest:scroll";
  var here = location.pathname + location.search;

  function restoreScroll() {
    var saved = null;
    try {
      saved = JSON.parse(sessionStorage.getItem(SCROLL) || "null");
    } catch (e) {
      return;
    }
    if (!saved || saved.path !== here) return;
    sessionStorage.removeItem(SCROLL);
    var apply = function () { window.scrollTo(saved.x, saved.y); };
    apply();
    // images and fonts may still change the layout: apply again when they are in
    if (document.readyState !== "complete") window.addEventListener("load", apply, { once: true });
  }

  function reload() {
    try {
      sessionStorage.setItem(SCROLL, JSON.stringify({ path: here, x: window.scrollX, y: window.scrollY }));
    } catch (e) { /* private mode: reload anyway */ }
    location.reload();
  }

  function swapStylesheets(hrefs) {
    var links = document.querySelectorAll('link[rel~="stylesheet"][href]');
    Array.prototype.forEach.call(links, function (link) {
      var next = hrefs[new URL(link.href, location.href).pathname];
      if (!next) return;
      // the new sheet goes in beside the old one, which leaves once the new one applies: no flash
      var fresh = link.cloneNode(false);
      fresh.href = next;
      fresh.addEventListener("load", function () { link.remove(); }, { once: true });
      fresh.addEventListener("error", function () { reload(); }, { once: true });
      link.after(fresh);
    });
  }

  function hideError() {
    var old = document.getElementById(OVERLAY);
    if (old) old.remove();
  }

  function el(tag, style, text) {
    var node = document.createElement(tag);
    if (style) node.setAttribute("style", style);
    if (text) node.textContent = text;
    return node;
  }

  function showError(error) {
    hideError();
    var box = el("div", "position:fixed;inset:0;z-index:2147483647;overflow:auto;box-sizing:border-box;" +
      "padding:2em;background:rgba(24,16,16,.95);color:#f3f3f3;text-align:left;" +
      "font:15px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace");
    box.id = OVERLAY;
    box.setAttribute("role", "alert");
    box.appendChild(el("p", "margin:0 0 1em;font-size:1.3em;color:#ff6b57", "digest: the build failed"));
    var list = el("ul", "list-style:none;margin:0;padding:0");
    error.problems.forEach(function (p) {
      var item = el("li", "margin:0 0 .8em");
      var where = el("code", "color:#ffb4a8;font-weight:bold", p.line ? p.path + ":" + p.line : p.path);
      where.className = "digest-where";
      var message = el("span", "", p.message);
      message.className = "digest-message";
      item.appendChild(where);
      item.appendChild(document.createElement("br"));
      item.appendChild(message);
      list.appendChild(item);
    });
    box.appendChild(list);
    box.appendChild(el("p", "margin:1.5em 0 0;color:#aaa", "Fix the file and save: this page reloads by itself."));
    document.body.appendChild(box);
  }

  function onState(state) {
    window.__digestLiveReload = "connected";
    if (state.error) {
      showError(state.error);
      return;
    }
    if (state.epoch === epoch) {
      hideError(); // the error went away and the site came back exactly as this page shows it
      return;
    }
    if (state.css && state.css.since === epoch && !document.getElementById(OVERLAY)) {
      swapStylesheets(state.css.hrefs);
      epoch = state.epoch;
      return;
    }
    reload();
  }

  function connect() {
    // one shared worker holds a single connection for every tab: browsers allow only ~6 per host
    if (window.SharedWorker && workerUrl) {
      try {
        var worker = new SharedWorker(workerUrl + "?events=" + encodeURIComponent(eventsUrl), "digest-livereload");
        worker.port.onmessage = function (e) { onState(e.data); };
        worker.port.start();
        window.addEventListener("pagehide", function () { worker.port.postMessage("bye"); });
        return;
      } catch (e) { /* fall back to a connection of our own */ }
    }
    var source = new EventSource(eventsUrl);
    source.addEventListener("state", function (e) { onState(JSON.parse(e.data)); });
  }

  restoreScroll();
  connect();
})();
