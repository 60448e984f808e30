/* Certificate tokens, checked in the browser (docs/certificate-format.md).
 *
 * A token is base32 (RFC 4648, no padding) of a COSE_Sign1 (RFC 9052) signed with Ed25519
 * (alg -8). This file decodes it strictly — one canonical encoding only, so a token with any
 * byte changed never verifies — and checks the signature against the published keys
 * (/api/v1/keys): with WebCrypto's Ed25519 where the browser has it, else with the vendored
 * @noble/ed25519. Format versions 1 and 2 verify; version 2 also carries both birth dates.
 * It exposes `window.PKVerify`, and on the verification page (/v/<id>) shows the names (and
 * birth dates) from a token whose signature holds, or a warning when it does not.
 */
(function () {
  "use strict";

  var B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  var STATUS_LIST_CONTENT_TYPE = "application/vnd.pranikah-kupang.status-list+cbor";
  var script = document.currentScript;
  var VENDOR = {
    noble: script ? script.getAttribute("data-noble") : null,
    sha2: script ? script.getAttribute("data-sha2") : null
  };

  function Invalid(reason) { this.reason = reason; }
  function fail(reason) { throw new Invalid(reason || "malformed"); }

  // --- base32 and base64url ---------------------------------------------------------------
  function b32encode(bytes) {
    var out = "", bits = 0, value = 0;
    for (var i = 0; i < bytes.length; i++) {
      value = (value << 8) | bytes[i]; bits += 8;
      while (bits >= 5) { out += B32[(value >>> (bits - 5)) & 31]; bits -= 5; }
      value &= 0xff;
    }
    if (bits > 0) { out += B32[(value << (5 - bits)) & 31]; }
    return out;
  }

  function b32decode(text) {
    if (typeof text !== "string" || !text) { fail(); }
    if (text !== text.toUpperCase() && text !== text.toLowerCase()) { fail(); }
    var upper = text.toUpperCase();
    if (!/^[A-Z2-7]+$/.test(upper) || [1, 3, 6].indexOf(upper.length % 8) >= 0) { fail(); }
    var out = new Uint8Array(Math.floor(upper.length * 5 / 8)), bits = 0, value = 0, n = 0;
    for (var i = 0; i < upper.length; i++) {
      value = (value << 5) | B32.indexOf(upper[i]); bits += 5;
      if (bits >= 8) { out[n++] = (value >>> (bits - 8)) & 0xff; bits -= 8; }
      value &= 0xff;
    }
    if (b32encode(out) !== upper) { fail(); }  // unused trailing bits must be zero
    return out;
  }

  function b64urlDecode(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var raw = atob(b64), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out;
  }

  function hex(bytes) {
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }

  function equalBytes(a, b) {
    if (a.length !== b.length) { return false; }
    for (var i = 0; i < a.length; i++) { if (a[i] !== b[i]) { return false; } }
    return true;
  }

  // --- a small strict CBOR decoder and canonical encoder ----------------------------------
  // Supports what the tokens use: unsigned and negative integers (< 2^53), byte and text
  // strings, arrays, maps, tags. Indefinite lengths, floats and simple values are refused.
  function Tag(tag, value) { this.tag = tag; this.value = value; }

  function decodeAt(bytes, pos, depth) {
    if (depth > 8 || pos >= bytes.length) { fail(); }
    var first = bytes[pos++], major = first >> 5, info = first & 31, length;
    if (info < 24) { length = info; }
    else if (info <= 27) {
      var size = 1 << (info - 24);
      if (pos + size > bytes.length || size === 8) { fail(); }
      length = 0;
      for (var i = 0; i < size; i++) { length = length * 256 + bytes[pos++]; }
    } else { fail(); }
    switch (major) {
      case 0: return [length, pos];
      case 1: return [-1 - length, pos];
      case 2: case 3:
        if (pos + length > bytes.length) { fail(); }
        var chunk = bytes.slice(pos, pos + length);
        if (major === 2) { return [chunk, pos + length]; }
        var text;
        try { text = new TextDecoder("utf-8", {fatal: true}).decode(chunk); } catch (e) { fail(); }
        return [text, pos + length];
      case 4:
        var list = [];
        for (var j = 0; j < length; j++) { var item = decodeAt(bytes, pos, depth + 1); list.push(item[0]); pos = item[1]; }
        return [list, pos];
      case 5:
        var map = new Map();
        for (var k = 0; k < length; k++) {
          var key = decodeAt(bytes, pos, depth + 1);
          if (typeof key[0] !== "number" && typeof key[0] !== "string") { fail(); }
          if (map.has(key[0])) { fail(); }
          var val = decodeAt(bytes, key[1], depth + 1);
          map.set(key[0], val[0]); pos = val[1];
        }
        return [map, pos];
      case 6:
        var inner = decodeAt(bytes, pos, depth + 1);
        return [new Tag(length, inner[0]), inner[1]];
      default: fail();
    }
  }

  function decodeExact(bytes) {
    var result = decodeAt(bytes, 0, 0);
    if (result[1] !== bytes.length) { fail(); }
    return result[0];
  }

  function head(major, n) {
    if (n < 24) { return [(major << 5) | n]; }
    if (n < 256) { return [(major << 5) | 24, n]; }
    if (n < 65536) { return [(major << 5) | 25, n >> 8, n & 255]; }
    if (n < 4294967296) { return [(major << 5) | 26, (n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]; }
    fail();
  }

  function encodeParts(value, out) {
    if (typeof value === "number") {
      if (!Number.isInteger(value)) { fail(); }
      Array.prototype.push.apply(out, value >= 0 ? head(0, value) : head(1, -1 - value));
    } else if (value instanceof Uint8Array) {
      Array.prototype.push.apply(out, head(2, value.length));
      for (var i = 0; i < value.length; i++) { out.push(value[i]); }
    } else if (typeof value === "string") {
      var utf8 = new TextEncoder().encode(value);
      Array.prototype.push.apply(out, head(3, utf8.length));
      for (var u = 0; u < utf8.length; u++) { out.push(utf8[u]); }
    } else if (Array.isArray(value)) {
      Array.prototype.push.apply(out, head(4, value.length));
      value.forEach(function (item) { encodeParts(item, out); });
    } else if (value instanceof Map) {
      // Canonical (RFC 7049 §3.9): keys ordered by their encoding, shorter first.
      var entries = Array.from(value.entries()).map(function (e) { return [encode(e[0]), e[1]]; });
      entries.sort(function (a, b) {
        if (a[0].length !== b[0].length) { return a[0].length - b[0].length; }
        for (var i = 0; i < a[0].length; i++) { if (a[0][i] !== b[0][i]) { return a[0][i] - b[0][i]; } }
        return 0;
      });
      Array.prototype.push.apply(out, head(5, entries.length));
      entries.forEach(function (e) { for (var i = 0; i < e[0].length; i++) { out.push(e[0][i]); } encodeParts(e[1], out); });
    } else if (value instanceof Tag) {
      Array.prototype.push.apply(out, head(6, value.tag));
      encodeParts(value.value, out);
    } else { fail(); }
  }

  function encode(value) { var out = []; encodeParts(value, out); return new Uint8Array(out); }

  // --- COSE_Sign1 -------------------------------------------------------------------------
  function openSign1(bytes, contentType) {
    var envelope = decodeExact(bytes);
    if (!(envelope instanceof Tag) || envelope.tag !== 18) { fail(); }
    var parts = envelope.value;
    if (!Array.isArray(parts) || parts.length !== 4) { fail(); }
    var protectedBytes = parts[0], unprotected = parts[1], payload = parts[2], signature = parts[3];
    if (!(protectedBytes instanceof Uint8Array) || !(unprotected instanceof Map) || unprotected.size !== 0 ||
        !(payload instanceof Uint8Array) || !(signature instanceof Uint8Array) || signature.length !== 64) { fail(); }
    if (!equalBytes(encode(envelope), bytes)) { fail(); }
    var header = decodeExact(protectedBytes);
    if (!(header instanceof Map)) { fail(); }
    var expected = contentType ? [1, 3, 4] : [1, 4];
    if (header.size !== expected.length || expected.some(function (k) { return !header.has(k); })) { fail(); }
    var kid = header.get(4);
    if (header.get(1) !== -8 || !(kid instanceof Uint8Array) || kid.length !== 4 ||
        (contentType && header.get(3) !== contentType) || !equalBytes(encode(header), protectedBytes)) { fail(); }
    var toSign = encode(["Signature1", protectedBytes, new Uint8Array(0), payload]);
    return {kid: hex(kid), payload: payload, signature: signature, signed: toSign};
  }

  var sha2 = null;
  function loadSha2() {
    if (!sha2) { sha2 = import(VENDOR.sha2); }
    return sha2;
  }

  function sha256(bytes, options) {
    function withNoble() { return loadSha2().then(function (mod) { return mod.sha256(bytes); }); }
    if ((options && options.forceNoble) || !(window.crypto && crypto.subtle)) { return withNoble(); }
    return crypto.subtle.digest("SHA-256", bytes).then(function (digest) { return new Uint8Array(digest); }, withNoble);
  }

  /* The status list's key for a certificate id (16 base32 characters): SHA-256 of the id's 10
   * bytes, first 16 bytes, in hex. WebCrypto where it exists, else the vendored noble-hashes. */
  function idHash(id, options) {
    return Promise.resolve().then(function () { return sha256(b32decode(id), options); })
      .then(function (digest) { return hex(digest.slice(0, ID_HASH_BYTES)); });
  }

  var noble = null;
  function loadNoble() {
    if (!noble) {
      noble = Promise.all([import(VENDOR.noble), loadSha2()]).then(function (mods) {
        mods[0].hashes.sha512 = mods[1].sha512;
        return mods[0];
      });
    }
    return noble;
  }

  function verifyEd25519(publicKey, signature, message, options) {
    function withNoble() {
      return loadNoble().then(function (ed) {
        try { return ed.verify(signature, message, publicKey, {zip215: false}); } catch (e) { return false; }
      });
    }
    if ((options && options.forceNoble) || !(window.crypto && crypto.subtle)) { return withNoble(); }
    return crypto.subtle.importKey("raw", publicKey, {name: "Ed25519"}, false, ["verify"]).then(function (key) {
      return crypto.subtle.verify({name: "Ed25519"}, key, signature, message);
    }, withNoble);
  }

  function findKey(keys, kid) {
    for (var i = 0; i < (keys || []).length; i++) { if (keys[i].kid === kid) { return keys[i]; } }
    return null;
  }

  function checkSignature(opened, keys, options) {
    var key = findKey(keys, opened.kid);
    if (!key) { return Promise.reject(new Invalid("unknown_key")); }
    return verifyEd25519(b64urlDecode(key.x), opened.signature, opened.signed, options).then(function (ok) {
      if (!ok) { throw new Invalid("bad_signature"); }
      return key;
    });
  }

  function isNfc(text) { return typeof text === "string" && text.length > 0 && text.normalize("NFC") === text; }

  var DAY_MS = 86400000;
  var EARLIEST_BIRTH_DAY = -25567;  // 1900-01-01 in days since 1970-01-01 (RFC 8943)

  /* Claim 7 of a version-2 token: two whole days from 1900-01-01 to the day of issue. */
  function birthDates(value, iat) {
    var last = Math.floor(iat / 86400);
    if (!Array.isArray(value) || value.length !== 2 || !value.every(function (d) {
      return Number.isInteger(d) && d >= EARLIEST_BIRTH_DAY && d <= last;
    })) { fail(); }
    return value.map(function (d) { return new Date(d * DAY_MS); });
  }

  /* A birth date (a UTC midnight) as people read it: "17 Mei 1998". */
  function formatBirthDate(date, lang) {
    return date.toLocaleDateString(lang || document.documentElement.lang || "id",
      {day: "numeric", month: "long", year: "numeric", timeZone: "UTC"});
  }

  /* The claim keys of each format version: 1 (names), 2 (names and birth dates). */
  var CLAIMS = {1: [1, 2, 3, 4, 5, 6], 2: [1, 2, 3, 4, 5, 6, 7]};

  /* Verify a certificate token (base32 text) against `keys` (the array of /api/v1/keys).
   * Resolves {ok: true, claims: {version, id, issuedAt, expiresAt, names, birthDates, office,
   * kid}} (birthDates: two Dates at UTC midnight, or null for version 1) or {ok: false, reason}.
   * Never rejects. */
  function verifyToken(text, keys, options) {
    var opened, claims;
    return Promise.resolve().then(function () {
      opened = openSign1(b32decode(text));
      var data = decodeExact(opened.payload);
      if (!(data instanceof Map)) { fail(); }
      var version = data.get(1), expected = version === 1 || version === 2 ? CLAIMS[version] : null;
      if (!expected || data.size !== expected.length || expected.some(function (k) { return !data.has(k); })) { fail(); }
      var names = data.get(5), id = data.get(2), iat = data.get(3), exp = data.get(4);
      if (!(id instanceof Uint8Array) || id.length !== 10 ||
          !Number.isInteger(iat) || !Number.isInteger(exp) || iat < 0 || exp <= iat || exp >= 4294967296 ||
          !Array.isArray(names) || names.length !== 2 || !names.every(isNfc) ||
          typeof data.get(6) !== "string" || !equalBytes(encode(data), opened.payload)) { fail(); }
      claims = {version: version, id: b32encode(id), issuedAt: new Date(iat * 1000),
                expiresAt: new Date(exp * 1000), names: names,
                birthDates: version >= 2 ? birthDates(data.get(7), iat) : null,
                office: data.get(6), kid: opened.kid};
      return checkSignature(opened, keys, options);
    }).then(function (key) {
      var from = Date.parse(key.valid_from) - 5 * 60 * 1000;
      var until = key.signs_until ? Date.parse(key.signs_until) : Infinity;
      if (claims.issuedAt.getTime() < from || claims.issuedAt.getTime() > until) { throw new Invalid("key_not_valid"); }
      return {ok: true, claims: claims};
    }).catch(function (error) {
      return {ok: false, reason: error instanceof Invalid ? error.reason : "malformed"};
    });
  }

  var ID_HASH_BYTES = 16;

  function isIdHash(value) { return value instanceof Uint8Array && value.length === ID_HASH_BYTES; }

  /* Verify the signed status list (the `signed` member of /api/v1/status-list), format 2:
   * certificates are listed by the truncated SHA-256 of their id, never by the id.
   * Resolves {ok, generatedAt, revoked: {hashHex: {reason}}, used: {hashHex: true}}; look an
   * id up with `idHash`. */
  function verifyStatusList(signedText, keys, options) {
    var opened;
    return Promise.resolve().then(function () {
      opened = openSign1(b64urlDecode(signedText), STATUS_LIST_CONTENT_TYPE);
      return checkSignature(opened, keys, options);
    }).then(function () {
      var data = decodeExact(opened.payload);
      if (!(data instanceof Map) || data.size !== 4 || data.get(1) !== 2 || !Number.isInteger(data.get(2)) ||
          !Array.isArray(data.get(3)) || !Array.isArray(data.get(4))) { fail(); }
      var revoked = {}, used = {};
      data.get(3).forEach(function (e) {
        if (!Array.isArray(e) || e.length !== 2 || !isIdHash(e[0]) || typeof e[1] !== "string") { fail(); }
        revoked[hex(e[0])] = {reason: e[1]};
      });
      data.get(4).forEach(function (e) {
        if (!isIdHash(e)) { fail(); }
        used[hex(e)] = true;
      });
      return {ok: true, generatedAt: new Date(data.get(2) * 1000), revoked: revoked, used: used};
    }).catch(function (error) {
      return {ok: false, reason: error instanceof Invalid ? error.reason : "malformed"};
    });
  }

  /* {id, token} from a QR's text: `https://host/v/ID#TOKEN` (any case), or null. */
  function parseQrText(text) {
    var match = /\/v\/([A-Za-z0-9]{16})\/?#([A-Za-z2-7]+)$/i.exec((text || "").trim());
    return match ? {id: match[1].toUpperCase(), token: match[2]} : null;
  }

  function normaliseId(raw) {
    var id = (raw || "").replace(/[^A-Za-z0-9]/g, "").toUpperCase()
      .replace(/0/g, "O").replace(/1/g, "I").replace(/8/g, "B");
    return /^[A-Z2-7]{16}$/.test(id) ? id : null;
  }

  function fetchJson(url) {
    return fetch(url, {credentials: "same-origin"}).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    });
  }

  window.PKVerify = {
    b32decode: b32decode, b32encode: b32encode, decodeCbor: decodeExact, encodeCbor: encode,
    verifyToken: verifyToken, verifyStatusList: verifyStatusList, parseQrText: parseQrText,
    normaliseId: normaliseId, fetchJson: fetchJson, loadNoble: loadNoble, idHash: idHash,
    formatBirthDate: formatBirthDate, fillPeople: fillPeople
  };

  // --- the verification page /v/<id>: check the token in the address -----------------------
  function enhancePage(root) {
    var token = decodeURIComponent(location.hash.replace(/^#/, ""));
    if (!token) {  // a typed id: the server checked the status; the signature needs the QR
      show("signature-note", false);
      show("scan-hint", true);
      return;
    }
    var pageId = root.getAttribute("data-certificate-id");
    var keysUrl = root.getAttribute("data-keys-url");
    fetchJson(keysUrl).then(function (data) {
      return verifyToken(token, data.keys);
    }).then(function (result) {
      if (result.ok && result.claims.id !== pageId) { result = {ok: false, reason: "id_mismatch"}; }
      root.setAttribute("data-token-check", result.ok ? "valid" : "invalid");
      show("signature-note", false);
      if (!result.ok) {
        ["server-verdict", "checked-by-server", "ktp-reminder", "names-section", "marriage-section",
         "login-hint"].forEach(function (id) { show(id, false); });
        show("token-invalid", true);
        return;
      }
      // The public page shows the signed names instead of the masked ones; an officiant's page
      // already shows the full names from the server and has no list to fill.
      var list = document.getElementById("token-names-list");
      if (list) {
        fillPeople(list, result.claims, list.getAttribute("data-born"));
        show("token-names", true);
        show("masked-names", false);
      }
      show("token-valid", true);
    }, function () {
      root.setAttribute("data-token-check", "unavailable");
      show("token-unavailable", true);
    });
  }

  /* Each name, with "lahir <date>" beside it for a version-2 token (`born`: "lahir {date}"). */
  function fillPeople(list, claims, born) {
    list.textContent = "";
    claims.names.forEach(function (name, index) {
      var item = document.createElement("li");
      item.textContent = name;
      if (claims.birthDates && born) {
        var date = document.createElement("span");
        date.className = "born";
        date.textContent = " · " + born.replace("{date}", formatBirthDate(claims.birthDates[index]));
        item.appendChild(date);
      }
      list.appendChild(item);
    });
  }

  function show(id, visible) {
    var element = document.getElementById(id);
    if (element) { element.hidden = !visible; }
  }

  var root = document.getElementById("verify-page");
  if (root) { enhancePage(root); }
})();
