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
// - __kioskPasteArm(text) keeps the copy until the kiosk's marker key (F24) comes. The kiosk
//   sends that key after the student's keys: a key goes to the page through the engine's
//   input thread, a script straight to its main thread, so a paste run as a script could
//   land before the Tab typed just before it. The marker comes in order with the keys and
//   reaches none of the page's listeners (in a frame the engine runs no script in, such as a
//   srcdoc frame, the top frame listens from when the paste is armed: the page's own capture
//   listeners on that frame's window come first there). In subframes F24 is always taken.
(function () {
  "use strict";
  const KEY = "__kioskPaste";
  const MARK = "F24";
  const MARKED = "__kioskPasteMarked";

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

  const top = window.top === window;
  let armed = null; // the top frame's copy waiting for its marker
  const watched = new WeakSet(); // the documents of frames this script listens in

  // The marker's keydown in WIN calls onMark(), which says whether it was the kiosk's; that
  // keydown and its keyup then reach none of the page's own listeners.
  function watch(win, onMark) {
    let down = false;
    const take = (event) => {
      if (event.key !== MARK || !event.isTrusted) return;
      if (event.type === "keyup") {
        if (!down) return;
        down = false;
      } else if (!onMark()) {
        return; // a real F24 key, with no paste waiting: the page's
      } else {
        down = true;
      }
      event.preventDefault();
      event.stopImmediatePropagation();
    };
    win.addEventListener("keydown", take, true);
    win.addEventListener("keyup", take, true);
  }

  function marked_paste() {
    if (armed === null) return false;
    const text = armed;
    armed = null;
    deliver(document, text);
    return true;
  }

  // The engine runs no script in some frames (about:blank, srcdoc): the top frame listens in
  // each one it can reach, so a marker that lands there still pastes.
  function reach(win) {
    for (let i = 0; i < win.frames.length; i++) {
      const frame = win.frames[i];
      let doc = null;
      try {
        doc = frame.document;
      } catch (err) {
        continue; // another origin: its own copy of this script listens there
      }
      if (!doc || watched.has(doc)) continue;
      watched.add(doc);
      watch(frame, marked_paste);
      reach(frame);
    }
  }

  if (top) {
    watch(window, marked_paste);
  } else {
    watch(window, () => {
      window.top.postMessage({ [MARKED]: true }, "*"); // the copy is the top frame's
      return true;
    });
  }

  window.addEventListener("message", (event) => {
    const data = event.data;
    if (!data) return;
    if (top && data[MARKED] === true) {
      event.stopImmediatePropagation();
      marked_paste();
      return;
    }
    if (event.source !== window.parent || typeof data[KEY] !== "string") return;
    event.stopImmediatePropagation();
    deliver(document, data[KEY]);
  });

  if (top) {
    window[KEY] = (text) => deliver(document, text);
    window[KEY + "Arm"] = (text) => {
      armed = text;
      reach(window);
    };
  }
})();
