// A service worker of the exam's own origin that, once installed, fetches a foreign host:
// the escape suite checks that the URL filter still decides what a service worker sends.
const port = new URL(location.href).searchParams.get("port");
self.addEventListener("install", (event) => {
  event.waitUntil(fetch(`http://127.0.0.1:${port}/from-a-service-worker`, { mode: "no-cors" })
    .catch(() => null));
});
