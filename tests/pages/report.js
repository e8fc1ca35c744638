// Test helper: report to the test server synchronously, so a report made inside an event
// listener has reached the server before the kiosk's delivery acknowledgement is sent.
window.__run = new URLSearchParams(location.search).get("run") || "default";
window.report = function (body) {
  const xhr = new XMLHttpRequest();
  xhr.open("POST", `/report?run=${encodeURIComponent(window.__run)}`, false);
  xhr.setRequestHeader("Content-Type", "application/json");
  xhr.send(JSON.stringify(body));
};
window.EVENT_NAMES = ["apSetupComplete", "apSetupCompleted", "apMonitoringStarted",
  "apMonitoringStopped", "apSuccessEvent", "apErrorEvent", "apEvidenceEvent"];
