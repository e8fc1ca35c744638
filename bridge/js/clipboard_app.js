// kiosk: the exam's text kept inside the exam (clipboard "isolated" and "block"). Runs in the
// application world of every frame, where the page's scripts can neither see nor replace it.
//
// - A drag of selected text, a link or an image is cancelled before it starts: on X11 a drag
//   offers its data as the XdndSelection, which any other program may ask for. Elements the
//   page made draggable itself (an ordering question) still drag, with the data the page put in.
// - __kioskPaste(text) pastes the exam's own copy (kept by the kiosk, never on the system
//   clipboard) where the caret is, in whichever frame has it: through same-origin frames
//   directly, into a cross-origin frame by a message to this script there. The page's own
//   paste listeners see the paste first, with the text, and may refuse it as with a real one.
(function () {
  "use strict";
  const KEY = "__kioskPaste";

  window.addEventListener(
    "dragstart",
    (event) => {
      const from = event.target;
      const element = from instanceof Element ? from : from && from.parentElement;
      const own = element && element.closest('[draggable="true"]');
      if (!own || from.nodeType === Node.TEXT_NODE) event.preventDefault();
    },
    true,
  );

  function paste(doc, text) {
    const target = doc.activeElement || doc.body;
    if (!target) return;
    const data = new DataTransfer();
    data.setData("text/plain", text);
    const event = new ClipboardEvent("paste", {
      clipboardData: data,
      bubbles: true,
      cancelable: true,
      composed: true,
    });
    if (target.dispatchEvent(event)) doc.execCommand("insertText", false, text);
  }

  function deliver(doc, text) {
    for (;;) {
      const focused = doc.activeElement;
      if (!focused || !(focused instanceof HTMLIFrameElement || focused instanceof HTMLFrameElement)) {
        paste(doc, text);
        return;
      }
      let inner = null;
      try {
        inner = focused.contentDocument;
      } catch (err) {
        inner = null;
      }
      if (!inner) {
        if (focused.contentWindow) focused.contentWindow.postMessage({ [KEY]: text }, "*");
        return;
      }
      doc = inner;
    }
  }

  window.addEventListener("message", (event) => {
    const data = event.data;
    if (event.source !== window.parent || !data || typeof data[KEY] !== "string") return;
    event.stopImmediatePropagation();
    deliver(document, data[KEY]);
  });

  if (window.top === window) window[KEY] = (text) => deliver(document, text);
})();
