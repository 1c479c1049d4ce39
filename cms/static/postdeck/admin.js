// Postdeck's admin behaviour. Kept in a file: the Content-Security-Policy allows
// no inline script or event-handler attributes.
"use strict";
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form instanceof HTMLFormElement ? form.dataset.confirm : undefined;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// Live state: every element with data-live="<url>" and an id is refreshed from
// that URL (the same page) without a reload. One request per URL every
// LIVE_EVERY_MS, none while the tab is hidden; an element someone is using
// (focus inside, a ticked checkbox, an open <details>) is left alone. Only
// paths count: the media library's cards say data-live="true|false" for their
// own poller, and fetching those as URLs was a 404 every few seconds.
const LIVE_EVERY_MS = 5000;
const LIVE_ELEMENTS = "[data-live^='/'][id]";

function liveBusy(element) {
  return (
    element.contains(document.activeElement) ||
    element.querySelector("input[type=checkbox]:checked, details[open]") !== null
  );
}

async function liveRefresh() {
  if (document.hidden) {
    return;
  }
  const groups = new Map();
  for (const element of document.querySelectorAll(LIVE_ELEMENTS)) {
    const url = element.dataset.live;
    if (!groups.has(url)) {
      groups.set(url, []);
    }
    groups.get(url).push(element);
  }
  for (const [url, elements] of groups) {
    let response;
    try {
      response = await fetch(url, {
        credentials: "same-origin",
        headers: { "X-Postdeck-Live": "1" },
      });
    } catch {
      continue;
    }
    if (!response.ok || response.redirected) {
      continue;
    }
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    for (const element of elements) {
      const replacement = fresh.getElementById(element.id);
      if (replacement && !liveBusy(element) && replacement.innerHTML !== element.innerHTML) {
        element.innerHTML = replacement.innerHTML;
        element.dispatchEvent(new CustomEvent("postdeck:live", { bubbles: true }));
      }
    }
  }
}

if (document.querySelector(LIVE_ELEMENTS)) {
  window.setInterval(liveRefresh, LIVE_EVERY_MS);
}
