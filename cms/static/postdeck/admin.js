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
