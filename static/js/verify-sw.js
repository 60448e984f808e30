/* Service worker of the offline verifier, served at /verify/sw.js with scope "/".
 *
 * /verify/sw.js prepends PK_VERSION (changes whenever a cached file changes), PK_PRECACHE
 * (what the verifier needs) and PK_SCAN_PAGE. After one visit the verifier works with the
 * network off:
 * - the keys and the status list: network first, else the last copy kept;
 * - static files: the cached copy (a new PK_VERSION brings new ones);
 * - the scan page, and /v/<id> links opened offline: network first, else the cached scan page,
 *   which then checks the token in the link on the device.
 * Every other request passes through untouched.
 */
/* global PK_VERSION, PK_PRECACHE, PK_SCAN_PAGE */
"use strict";

var CACHE = "pk-verify-" + PK_VERSION;
var DATA = ["/api/v1/keys", "/api/v1/status-list"];

self.addEventListener("install", function (event) {
  // The page and its files must all be cached; the keys and the status list are fetched again
  // by the page itself, so one of them failing now (a server without a key yet) is no reason
  // to give up being installed.
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    var files = PK_PRECACHE.filter(function (path) { return DATA.indexOf(path) < 0; });
    return cache.addAll(files).then(function () {
      return Promise.all(DATA.map(function (path) { return cache.add(path).catch(function () {}); }));
    });
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("pk-verify-") === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function networkFirst(request, cacheKey) {
  return fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(cacheKey, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(cacheKey).then(function (cached) {
      return cached || Response.error();
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  var path = url.pathname;

  if (request.mode === "navigate" && /^\/v\/[^/]+\/?$/i.test(path)) {
    // A certificate link: the live page when online; offline, the scan page checks the token.
    event.respondWith(fetch(request).catch(function () {
      return caches.match(PK_SCAN_PAGE).then(function (cached) { return cached || Response.error(); });
    }));
    return;
  }
  if (path === PK_SCAN_PAGE) {
    // Cache only the plain page (no ?id=…), which carries nothing but the verifier.
    event.respondWith(url.search ? fetch(request).catch(function () {
      return caches.match(PK_SCAN_PAGE).then(function (cached) { return cached || Response.error(); });
    }) : networkFirst(request, PK_SCAN_PAGE));
    return;
  }
  if (DATA.indexOf(path) >= 0) {
    event.respondWith(networkFirst(request, path));
    return;
  }
  if (PK_PRECACHE.indexOf(path) >= 0) {
    event.respondWith(caches.match(path).then(function (cached) {
      return cached || fetch(request);
    }));
  }
});
