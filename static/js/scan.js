/* The offline verifier (/verify/scan): camera → QR → signature checked on this device →
 * cached, signed status list → verdict, with the age of the status data.
 *
 * The QR is decoded with the browser's BarcodeDetector where it exists, else with the
 * vendored jsQR. Keys and the status list come through the service worker, which keeps the
 * last copies for when there is no network. The status list names no certificate: it holds
 * truncated SHA-256 hashes of ids, so a scanned id is hashed (PKVerify.idHash) to look it up,
 * and a used certificate is only said to be used (where and when are on the online page).
 * Every text shown comes from the page (#verify-i18n), so the page's language is the
 * verifier's language.
 */
(function () {
  "use strict";
  var root = document.getElementById("scan-page");
  if (!root || !window.PKVerify) { return; }
  var V = window.PKVerify;
  var T = JSON.parse(document.getElementById("verify-i18n").textContent);
  var lang = document.documentElement.lang || "id";
  var state = {keys: null, statusList: null, scanning: false, stream: null, jsqr: null};
  var $ = function (id) { return document.getElementById(id); };

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_m, key) { return values[key] != null ? values[key] : ""; });
  }

  function formatDate(value) {
    var date = value instanceof Date ? value : new Date(value + (String(value).length === 10 ? "T00:00:00" : ""));
    return date.toLocaleDateString(lang, {day: "numeric", month: "long", year: "numeric"});
  }

  function age(date) {
    var seconds = Math.round((date.getTime() - Date.now()) / 1000);
    var units = [["day", 86400], ["hour", 3600], ["minute", 60], ["second", 1]];
    var rtf = new Intl.RelativeTimeFormat(lang, {numeric: "auto"});
    for (var i = 0; i < units.length; i++) {
      if (Math.abs(seconds) >= units[i][1]) { return rtf.format(Math.round(seconds / units[i][1]), units[i][0]); }
    }
    return rtf.format(0, "second");
  }

  function message(text, isError) {
    var box = $("scan-message");
    box.textContent = text || "";
    box.className = isError ? "scan-message error" : "scan-message";
  }

  // --- keys and the status list --------------------------------------------------------------
  function loadData() {
    return V.fetchJson(root.getAttribute("data-keys-url")).then(function (data) {
      state.keys = data.keys;
      return V.fetchJson(root.getAttribute("data-status-url"));
    }).then(function (list) {
      return V.verifyStatusList(list.signed, state.keys);
    }).then(function (checked) {
      state.statusList = checked.ok ? checked : null;
      showDataAge();
    }).catch(function () { showDataAge(); });
  }

  function showDataAge() {
    var box = $("status-age");
    if (state.statusList) {
      box.textContent = format(T.status_age, {age: age(state.statusList.generatedAt),
        when: state.statusList.generatedAt.toLocaleString(lang)});
      box.className = Date.now() - state.statusList.generatedAt.getTime() > 7 * 86400000 ? "notice" : "muted";
    } else {
      box.textContent = state.keys ? T.status_missing : T.keys_missing;
      box.className = "notice";
    }
    root.setAttribute("data-ready", state.keys ? "yes" : "no");
  }

  // --- verdicts ------------------------------------------------------------------------------
  /* What the cached status list says of `id`: a promise of {status: "revoked", detail} or
   * {status: "used"}, or null when it is not listed (or there is no list). */
  function listed(id) {
    var list = state.statusList;
    if (!list) { return Promise.resolve(null); }
    return V.idHash(id).then(function (hash) {
      if (list.revoked[hash]) {
        var reason = list.revoked[hash].reason;
        return {status: "revoked", detail: {reason: T.reasons[reason] || reason}};
      }
      return list.used[hash] ? {status: "used"} : null;
    });
  }

  function verdictFor(result, pathId) {
    if (!result.ok) { return Promise.resolve({status: "invalid"}); }
    var claims = result.claims;
    if (pathId && pathId !== claims.id) { return Promise.resolve({status: "invalid"}); }
    return listed(claims.id).then(function (verdict) {
      if (verdict) { return verdict; }
      if (claims.expiresAt.getTime() <= Date.now()) { return {status: "expired", detail: {date: formatDate(claims.expiresAt)}}; }
      return {status: "valid", detail: {date: formatDate(claims.expiresAt)}};
    });
  }

  function showVerdict(verdict, claims, token) {
    var result = $("scan-result");
    result.hidden = false;
    result.setAttribute("data-status", verdict.status);
    Array.prototype.forEach.call(result.querySelectorAll("[data-verdict]"), function (box) {
      var mine = box.getAttribute("data-verdict") === verdict.status;
      box.hidden = !mine;
      if (mine) {
        var detail = box.querySelector("[data-detail]");
        if (detail) { detail.textContent = format(detail.getAttribute("data-detail"), verdict.detail || {}); }
      }
    });
    var names = $("result-names");
    names.textContent = "";
    $("result-people").hidden = !claims || verdict.status === "invalid";
    if (claims && verdict.status !== "invalid") {
      V.fillPeople(names, claims, T.born);
      $("result-id").textContent = claims.id.replace(/(.{4})(?=.)/g, "$1 ");
      $("result-dates").textContent = format(T.dates, {issued: formatDate(claims.issuedAt), expires: formatDate(claims.expiresAt)});
    }
    // Only a genuine, valid certificate asks to compare the names and birth dates with the KTP.
    $("result-ktp").hidden = verdict.status !== "valid";
    // Online, a valid certificate leads to its page, where a signed-in officiant records the
    // marriage (the token rides in the fragment, as in the QR's own link).
    var online = $("result-online");
    online.hidden = !(verdict.status === "valid" && claims && token && navigator.onLine !== false);
    if (!online.hidden) {
      $("result-online-link").href = root.getAttribute("data-page-url").replace("ID", claims.id) + "#" + token;
    }
    // A used one: the offline list only knows that it was used; its page says where and when.
    var onlineUsed = $("result-online-used");
    onlineUsed.hidden = !(verdict.status === "used" && claims && token && navigator.onLine !== false);
    if (!onlineUsed.hidden) {
      $("result-online-used-link").href = root.getAttribute("data-page-url").replace("ID", claims.id) + "#" + token;
    }
    $("result-source").textContent = state.statusList ?
      format(T.checked_with, {age: age(state.statusList.generatedAt)}) : T.status_missing;
    result.scrollIntoView({behavior: "smooth", block: "start"});
    result.focus();
  }

  function handleText(text) {
    var parsed = V.parseQrText(text);
    if (!parsed) { message(T.not_certificate, true); return Promise.resolve(); }
    return handleToken(parsed.id, parsed.token);
  }

  /* `id`: the id in the link's path (null for a bare token); `token`: the base32 token. */
  function handleToken(id, token) {
    message(T.checking);
    var ready = state.keys ? Promise.resolve() : loadData();
    return ready.then(function () {
      if (!state.keys) { message(T.keys_missing, true); return; }
      return V.verifyToken(token, state.keys).then(function (result) {
        return verdictFor(result, id).then(function (verdict) {
          message("");
          showVerdict(verdict, result.ok ? result.claims : null, token);
        });
      });
    });
  }

  function handleId(id) {
    return listed(id).then(function (verdict) { showVerdict(verdict || {status: "id_only"}, null); });
  }

  // --- the camera ------------------------------------------------------------------------------
  function loadJsQR() {
    if (window.jsQR) { return Promise.resolve(window.jsQR); }
    if (!state.jsqr) {
      state.jsqr = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = root.getAttribute("data-jsqr");
        tag.onload = function () { resolve(window.jsQR); };
        tag.onerror = reject;
        document.head.appendChild(tag);
      });
    }
    return state.jsqr;
  }

  function makeDetector() {
    if ("BarcodeDetector" in window && !root.hasAttribute("data-force-jsqr")) {
      return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
        if (formats.indexOf("qr_code") < 0) { throw new Error("no qr"); }
        var detector = new window.BarcodeDetector({formats: ["qr_code"]});
        root.setAttribute("data-decoder", "native");
        return function (video) {
          return detector.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
        };
      }).catch(jsqrDetector);
    }
    return jsqrDetector();
  }

  function jsqrDetector() {
    return loadJsQR().then(function (jsQR) {
      root.setAttribute("data-decoder", "jsqr");
      var canvas = document.createElement("canvas");
      var context = canvas.getContext("2d", {willReadFrequently: true});
      return function (video) {
        var scale = Math.min(1, 720 / Math.max(video.videoWidth, video.videoHeight));
        canvas.width = Math.round(video.videoWidth * scale);
        canvas.height = Math.round(video.videoHeight * scale);
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        var image = context.getImageData(0, 0, canvas.width, canvas.height);
        var code = jsQR(image.data, image.width, image.height, {inversionAttempts: "attemptBoth"});
        return Promise.resolve(code ? code.data : null);
      };
    });
  }

  function startCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { message(T.camera_unavailable, true); return; }
    message(T.camera_starting);
    var video = $("scan-video");
    navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}, audio: false}).then(function (stream) {
      state.stream = stream;
      video.srcObject = stream;
      video.hidden = false;
      $("scan-start").hidden = true;
      $("scan-stop").hidden = false;
      return video.play().then(makeDetector);
    }).then(function (detect) {
      message(T.camera_hint);
      state.scanning = true;
      var tick = function () {
        if (!state.scanning) { return; }
        var next = function () { setTimeout(tick, 200); };
        if (video.readyState < 2) { next(); return; }
        detect(video).then(function (text) {
          if (text && V.parseQrText(text)) { stopCamera(); handleText(text); }
          else { if (text) { message(T.not_certificate, true); } next(); }
        }, next);
      };
      tick();
    }).catch(function () {
      stopCamera();
      message(T.camera_denied, true);
    });
  }

  function stopCamera() {
    state.scanning = false;
    if (state.stream) { state.stream.getTracks().forEach(function (t) { t.stop(); }); state.stream = null; }
    $("scan-video").hidden = true;
    $("scan-start").hidden = false;
    $("scan-stop").hidden = true;
  }

  // --- wiring ------------------------------------------------------------------------------------
  $("scan-start").hidden = false;
  $("scan-start").addEventListener("click", startCamera);
  $("scan-stop").addEventListener("click", function () { stopCamera(); message(""); });
  $("scan-again").addEventListener("click", function () { $("scan-result").hidden = true; startCamera(); });

  var form = $("manual-form");
  form.addEventListener("submit", function (event) {
    var id = V.normaliseId(form.elements.id.value);
    if (navigator.onLine !== false) { return; }  // online: the server answers from the database
    event.preventDefault();
    if (!id) { message(T.bad_id, true); return; }
    message("");
    handleId(id);
  });

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(root.getAttribute("data-sw-url"), {scope: "/"}).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function () {
      root.setAttribute("data-offline-ready", "yes");
      $("offline-ready").hidden = false;
    }).catch(function () { /* without a service worker the page still works online */ });
  }

  /* The link this page was opened with: a QR link opened offline (the service worker served
   * this page for /v/<id>#<token>), /verify/scan#<token>, or /verify/scan?id=<id> offline. */
  function checkAddress() {
    var query = new URLSearchParams(location.search).get("id");
    if (location.hash.length > 1) {
      var path = location.pathname.match(/\/v\/([A-Za-z0-9]{16})\/?$/i);
      handleToken(path ? V.normaliseId(path[1]) : null, decodeURIComponent(location.hash.slice(1)));
    } else if (query && V.normaliseId(query)) {
      handleId(V.normaliseId(query));
    }
  }

  window.addEventListener("hashchange", checkAddress);
  loadData().then(checkAddress);
})();
