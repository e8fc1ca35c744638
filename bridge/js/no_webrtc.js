// kiosk: WebRTC off (policy.webrtc false). Runs in the main world of every frame the engine
// injects into, before the page's own scripts: RTCPeerConnection and every other RTC*
// interface are gone, so an exam page cannot open a peer connection or a data channel. A
// fresh about:blank frame gets no injected script (Chromium's rule); what a page reaches
// through one still sends no UDP and reaches only hosts the URL filter admits (docs/network.md).
(function () {
  "use strict";
  for (const name of Object.getOwnPropertyNames(window)) {
    if (/^(webkit)?RTC/.test(name)) delete window[name];
  }
})();
