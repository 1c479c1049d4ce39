// The composer's page after the button (issue 11; docs/tiktok.md §8.6): each
// target's live state, polled until all have ended. A static file: the
// Content-Security-Policy allows no inline script.
"use strict";
(() => {
  const live = document.getElementById("compose-live");
  if (!live) {
    return;
  }
  const render = (target) => {
    const item = document.createElement("li");
    item.dataset.status = target.status;
    item.dataset.accountId = target.account_id;
    const who = document.createElement("strong");
    who.textContent = `${target.account}: `;
    item.append(who, target.words);
    if (target.url) {
      const link = document.createElement("a");
      link.href = target.url;
      link.rel = "noopener noreferrer";
      link.target = "_blank";
      link.textContent = "View on TikTok";
      item.append(" ", link);
    }
    return item;
  };
  const poll = () => {
    fetch(live.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => response.json())
      .then((state) => {
        live.replaceChildren(...state.targets.map(render));
        live.dataset.ended = String(state.ended);
        if (!state.ended) {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(() => window.setTimeout(poll, 5000));
  };
  poll();
})();
