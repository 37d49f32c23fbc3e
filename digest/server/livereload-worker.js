// digest live reload, shared worker: one server connection passed on to every open tab.
"use strict";
var ports = [];
var last = null;
var events = new URL(self.location.href).searchParams.get("events") || "/__digest__/events";
var source = new EventSource(events);

source.addEventListener("state", function (e) {
  last = JSON.parse(e.data);
  ports.forEach(function (port) { port.postMessage(last); });
});

self.onconnect = function (e) {
  var port = e.ports[0];
  ports.push(port);
  port.onmessage = function (m) {
    if (m.data === "bye") ports = ports.filter(function (p) { return p !== port; });
  };
  port.start();
  if (last) port.postMessage(last);
};
