// kiosk: the page-facing AutoProctor API, injected into the page's main world before any
// page script runs, in the top frame of the exam's origin only. It holds no privilege: it
// turns calls into DOM events that the kiosk's application-world script (invisible to the
// page) forwards to the kiosk, and resolves promises from the answers.
(function () {
  "use strict";
  const CONFIG = __KIOSK_CONFIG__;
  if (window.top !== window || window.location.origin !== CONFIG.origin) return;

  const dispatch = EventTarget.prototype.dispatchEvent.bind(window);
  const listen = EventTarget.prototype.addEventListener.bind(window);
  const Custom = window.CustomEvent;
  const stringify = JSON.stringify;
  const pending = new Map();
  let counter = 0;

  class AutoProctorError extends Error {
    constructor(code, message) {
      super(message);
      this.name = "AutoProctorError";
      this.code = code;
    }
  }

  listen(CONFIG.responseEvent, (event) => {
    const answer = event.detail;
    if (!answer || !pending.has(answer.id)) return;
    const { resolve, reject } = pending.get(answer.id);
    pending.delete(answer.id);
    if (answer.ok) resolve(answer.payload);
    else reject(new AutoProctorError(answer.payload.code, answer.payload.message));
  });

  function call(method, args) {
    return new Promise((resolve, reject) => {
      let body;
      try {
        body = stringify(args === undefined ? null : args);
      } catch (err) {
        reject(new TypeError(`${method}(): arguments must be plain data (${err.message})`));
        return;
      }
      const id = `${method}-${++counter}-${Math.random().toString(36).slice(2)}`;
      pending.set(id, { resolve, reject });
      dispatch(new Custom(CONFIG.requestEvent, { detail: { id, method, args: body } }));
    });
  }

  const ID_KEYS = ["clientId", "testAttemptId", "hashedTestAttemptId"];

  class AutoProctor {
    constructor(ids) {
      const given = ids === undefined || ids === null ? {} : ids;
      if (typeof given !== "object" || Array.isArray(given)) {
        throw new TypeError("AutoProctor takes one object: {clientId, testAttemptId, hashedTestAttemptId}");
      }
      for (const key of Object.keys(given)) {
        if (!ID_KEYS.includes(key)) {
          throw new TypeError(`AutoProctor: unknown option '${key}' (known: ${ID_KEYS.join(", ")})`);
        }
      }
      for (const key of ID_KEYS) this[key] = given[key];
    }
    setup(options) {
      const ids = {};
      for (const key of ID_KEYS) if (this[key] !== undefined) ids[key] = this[key];
      return call("setup", { options: options === undefined ? null : options, ids });
    }
    start() {
      return call("start", null);
    }
    stop() {
      return call("stop", null);
    }
  }

  for (const [name, value] of [["AutoProctor", AutoProctor], ["AutoProctorError", AutoProctorError]]) {
    Object.defineProperty(window, name, { value, writable: false, configurable: false, enumerable: false });
  }
})();
