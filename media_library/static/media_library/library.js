// The media library page: drag-and-drop upload of many files with a progress bar
// each, and live cards while a file is being probed or converted (one request
// every few seconds, only while some card is live; no page reloads).
(function () {
  "use strict";
  const POLL_MS = 3000;
  const PARALLEL_UPLOADS = 2;
  const grid = document.getElementById("media-grid");
  const upload = document.getElementById("media-upload");
  let pollTimer = null;

  function csrfToken() {
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function cardFrom(html) {
    const holder = document.createElement("div");
    holder.innerHTML = html.trim();
    return holder.firstElementChild;
  }

  function putCard(html, isNew) {
    if (!grid) { return; }
    const card = cardFrom(html);
    const existing = document.getElementById(card.id);
    if (existing) {
      const box = existing.querySelector("input.action-select");
      card.querySelector("input.action-select").checked = Boolean(box && box.checked);
      if (existing.classList.contains("is-new")) { card.classList.add("is-new"); }
      existing.replaceWith(card);
    } else {
      const empty = document.getElementById("media-grid-empty");
      if (empty) { empty.remove(); }
      if (isNew) {
        card.classList.add("is-new");
        changeTotal(1);
      }
      grid.prepend(card);
    }
    updateCounter();
    schedulePoll();
  }

  // The list's total ("12 media assets" under the grid) follows the cards a
  // new upload adds and a deletion seen while polling removes.
  function changeTotal(by) {
    const total = document.getElementById("media-count");
    if (!total) { return; }
    const count = Math.max(0, Number(total.dataset.count) + by);
    total.dataset.count = String(count);
    total.textContent = count + " " + (count === 1 ? total.dataset.singular : total.dataset.plural);
  }

  // Django's actions.js only wires checkboxes in table rows; the cards count here.
  function updateCounter() {
    const counter = document.querySelector(".action-counter");
    if (!counter || !grid) { return; }
    const boxes = Array.from(grid.querySelectorAll("input.action-select"));
    const chosen = boxes.filter(function (box) { return box.checked; }).length;
    counter.textContent = chosen + " of " + boxes.length + " selected";
  }

  function liveIds() {
    return Array.from(grid.querySelectorAll(".media-card[data-live=true]"))
      .map(function (card) { return card.dataset.id; });
  }

  function schedulePoll() {
    if (!grid || pollTimer !== null || liveIds().length === 0) { return; }
    pollTimer = window.setTimeout(poll, POLL_MS);
  }

  function poll() {
    pollTimer = null;
    const ids = liveIds();
    if (ids.length === 0) { return; }
    fetch(grid.dataset.liveUrl + "?ids=" + ids.join(","), {
      credentials: "same-origin", headers: { Accept: "application/json" }
    })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        ids.forEach(function (id) {
          const entry = data.cards[id];
          if (entry) {
            putCard(entry.html, false);
          } else {
            const gone = document.getElementById("media-card-" + id);
            if (gone) {
              gone.remove();
              changeTotal(-1);
              updateCounter();
            }
          }
        });
        schedulePoll();
      })
      .catch(function () { pollTimer = window.setTimeout(poll, POLL_MS * 3); });
  }

  // --- upload ------------------------------------------------------------------
  if (upload) {
    const drop = document.getElementById("media-drop");
    const input = document.getElementById("media-files");
    const list = document.getElementById("media-upload-list");
    const workspace = document.getElementById("upload-workspace");
    const queue = [];
    let running = 0;

    function row(file) {
      const item = document.createElement("li");
      const name = document.createElement("span");
      name.className = "upload-name";
      name.textContent = file.name;
      const bar = document.createElement("progress");
      bar.max = 1;
      bar.value = 0;
      bar.setAttribute("aria-label", "Upload of " + file.name);
      const status = document.createElement("span");
      status.className = "upload-status";
      status.textContent = "Waiting";
      item.append(name, bar, status);
      list.prepend(item);
      return { item: item, bar: bar, status: status };
    }

    function finish(view, ok, text) {
      view.item.classList.add(ok ? "is-done" : "is-failed");
      view.bar.value = ok ? 1 : view.bar.value;
      view.status.textContent = text;
      running -= 1;
      next();
    }

    function send(job) {
      const view = job.view;
      const data = new FormData();
      data.append("workspace", workspace ? workspace.value : "");
      data.append("file", job.file, job.file.name);
      const request = new XMLHttpRequest();
      request.open("POST", upload.dataset.uploadUrl);
      request.setRequestHeader("X-CSRFToken", csrfToken());
      request.setRequestHeader("X-Postdeck-Upload", "1");
      request.setRequestHeader("Accept", "application/json");
      request.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) {
          view.bar.value = event.loaded / event.total;
          view.status.textContent = "Uploading, " + Math.floor(100 * event.loaded / event.total) + "%";
        }
      });
      request.upload.addEventListener("load", function () {
        view.bar.value = 1;
        view.status.textContent = "Uploaded; checking the file";
      });
      request.addEventListener("load", function () {
        let answer = null;
        try { answer = JSON.parse(request.responseText); } catch (error) { answer = null; }
        if (answer && answer.ok) {
          putCard(answer.card, answer.created);
          finish(view, true, answer.message);
        } else if (answer && answer.error) {
          finish(view, false, answer.error);
        } else if (request.status === 413) {
          finish(view, false, "The file is larger than the library accepts.");
        } else {
          finish(view, false, "The upload failed (" + request.status + "). Try again.");
        }
      });
      request.addEventListener("error", function () {
        finish(view, false, "The connection was lost. Try again.");
      });
      view.status.textContent = "Uploading, 0%";
      request.send(data);
    }

    function next() {
      while (running < PARALLEL_UPLOADS && queue.length > 0) {
        running += 1;
        send(queue.shift());
      }
    }

    function add(files) {
      Array.from(files).forEach(function (file) {
        queue.push({ file: file, view: row(file) });
      });
      next();
    }

    input.addEventListener("change", function () {
      add(input.files);
      input.value = "";
    });
    ["dragenter", "dragover"].forEach(function (name) {
      drop.addEventListener(name, function (event) {
        event.preventDefault();
        drop.classList.add("is-over");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      drop.addEventListener(name, function () { drop.classList.remove("is-over"); });
    });
    drop.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        add(event.dataTransfer.files);
      }
    });
  }

  if (grid) {
    grid.addEventListener("change", function (event) {
      if (event.target.matches("input.action-select")) { updateCounter(); }
    });
  }
  schedulePoll();
})();
