// Refreshes conversion progress on a media asset's admin page while any is running,
// then reloads the page once they are all finished so the new asset shows up.
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
          }
          active = active || conversion.is_active;
        });
        if (active) {
          window.setTimeout(poll, POLL_MS);
        } else {
          window.location.reload();
        }
      })
      .catch(function () { window.setTimeout(poll, POLL_MS * 3); });
  }
  window.setTimeout(poll, POLL_MS);
})();
