// kiosk: the privileged half of the bridge. Runs in the application world, where the page
// cannot see `qt`, the QWebChannel or the bridge object; talks to the page only through DOM
// events on window, and only in the top frame of the exam's origin.
(function () {
  "use strict";
  const CONFIG = __KIOSK_CONFIG__;
  if (window.top !== window || window.location.origin !== CONFIG.origin) return;
  if (typeof qt === "undefined" || !qt.webChannelTransport) return;

  // Listen at once: a page may call setup() before the channel has finished connecting.
  const early = [];
  let forward = (d) => early.push(d);
  window.addEventListener(CONFIG.requestEvent, (event) => {
    const d = event.detail;
    if (!d || typeof d.id !== "string" || typeof d.method !== "string") return;
    forward(d);
  });

  new QWebChannel(qt.webChannelTransport, (channel) => {
    const bridge = channel.objects[CONFIG.objectName];
    bridge.replied.connect((id, ok, payload) => {
      window.dispatchEvent(
        new CustomEvent(CONFIG.responseEvent, { detail: { id, ok, payload: JSON.parse(payload) } }),
      );
    });
    bridge.eventFired.connect((seq, names, detailJson) => {
      for (const name of JSON.parse(names)) {
        // A fresh object per event: one listener mutating detail cannot change another's.
        window.dispatchEvent(new CustomEvent(name, { detail: JSON.parse(detailJson) }));
      }
      bridge.delivered(seq);
    });
    bridge.hello(window.location.href);
    forward = (d) => bridge.request(d.id, d.method, typeof d.args === "string" ? d.args : "null");
    early.splice(0).forEach(forward);
  });
})();
