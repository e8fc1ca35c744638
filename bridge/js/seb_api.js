// kiosk: Safe Exam Browser's JavaScript API, for an exam launched from a SEB configuration.
// Injected into the main world of every frame of the exam's origin before its scripts run.
// SafeExamBrowser.security.configKey and .browserExamKey are, as in SEB, the SHA-256 of this
// frame's URL (without its fragment) followed by the key, so a page proves the key to its
// server without seeing it; updateKeys(callback) calls back once they are current (Moodle's
// fallback check uses it).
(function () {
  "use strict";
  const CONFIG = __KIOSK_SEB__;
  if (window.location.origin !== CONFIG.origin) return;

  // SHA-256 (FIPS 180-4) of a string's UTF-8 bytes, as lower-case hex; synchronous, because
  // SEB's properties are plain strings (crypto.subtle is asynchronous).
  const K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
  ]);

  function sha256(text) {
    const bytes = new TextEncoder().encode(text);
    const length = bytes.length;
    const blocks = Math.ceil((length + 9) / 64);
    const words = new Uint32Array(blocks * 16);
    for (let i = 0; i < length; i++) words[i >> 2] |= bytes[i] << (24 - (i % 4) * 8);
    words[length >> 2] |= 0x80 << (24 - (length % 4) * 8);
    words[blocks * 16 - 1] = length * 8;
    words[blocks * 16 - 2] = Math.floor(length / 0x20000000);
    const h = new Uint32Array([
      0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
      0x5be0cd19,
    ]);
    const w = new Uint32Array(64);
    const rotr = (x, n) => (x >>> n) | (x << (32 - n));
    for (let b = 0; b < blocks; b++) {
      for (let t = 0; t < 16; t++) w[t] = words[b * 16 + t];
      for (let t = 16; t < 64; t++) {
        const s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >>> 3);
        const s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >>> 10);
        w[t] = (w[t - 16] + s0 + w[t - 7] + s1) >>> 0;
      }
      let [a, bb, c, d, e, f, g, hh] = h;
      for (let t = 0; t < 64; t++) {
        const S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
        const ch = (e & f) ^ (~e & g);
        const t1 = (hh + S1 + ch + K[t] + w[t]) >>> 0;
        const S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
        const maj = (a & bb) ^ (a & c) ^ (bb & c);
        const t2 = (S0 + maj) >>> 0;
        hh = g; g = f; f = e; e = (d + t1) >>> 0; d = c; c = bb; bb = a; a = (t1 + t2) >>> 0;
      }
      const add = [a, bb, c, d, e, f, g, hh];
      for (let i = 0; i < 8; i++) h[i] = (h[i] + add[i]) >>> 0;
    }
    return Array.from(h, (x) => x.toString(16).padStart(8, "0")).join("");
  }

  // Computed on every read: a pushState that changes the URL changes them, as in SEB.
  const url = () => window.location.href.split("#")[0];
  const security = Object.create(null);
  const read = (key) => ({ get: () => sha256(url() + key), enumerable: true });
  Object.defineProperties(security, {
    configKey: read(CONFIG.configKey),
    browserExamKey: read(CONFIG.browserExamKey),
    appVersion: { value: CONFIG.appVersion, enumerable: true },
    updateKeys: {
      value: (callback) => { if (typeof callback === "function") setTimeout(callback, 0); },
      enumerable: true,
    },
  });
  const api = Object.freeze({ version: CONFIG.version, security: Object.freeze(security) });
  Object.defineProperty(window, "SafeExamBrowser", {
    value: api, writable: false, configurable: false, enumerable: false,
  });
})();
