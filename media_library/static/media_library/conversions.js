// Refreshes conversion progress on a media asset's admin page while any is running,
// then links each finished conversion's new asset in place (no page reload).
(function () {
  "use strict";
  const table = document.getElementById("conversions");
  if (!table || table.dataset.active !== "true") {
    return;
  }
  const POLL_MS = 2000;
  function poll() {
    fetch(table.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        let active = false;
        data.conversions.forEach(function (conversion) {
          const row = document.getElementById("conversion-" + conversion.id);
          if (row) {
            row.querySelector("progress").value = conversion.progress;
            row.querySelector(".conversion-status").textContent = conversion.status_label;
            const outcome = row.lastElementChild;
            if (conversion.result_url && !outcome.querySelector("a")) {
              const link = document.createElement("a");
              link.href = conversion.result_url;
              link.textContent = "Open the TikTok-ready copy";
              outcome.replaceChildren(link);
            } else if (conversion.error) {
              outcome.textContent = conversion.error;
            }
          }
          active = active || conversion.is_active;
        });
        if (active) {
          window.setTimeout(poll, POLL_MS);
        } else {
          const button = document.getElementById("make-ready");
          if (button) { button.disabled = false; }
        }
      })
      .catch(function () { window.setTimeout(poll, POLL_MS * 3); });
  }
  window.setTimeout(poll, POLL_MS);
})();
