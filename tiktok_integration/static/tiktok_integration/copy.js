// Copy buttons: <button class="copy-button" data-copy="value">. No inline
// script (the CSP forbids it); falls back to selecting the text.
(function () {
  "use strict";
  function selectText(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
  function done(button, label) {
    var original = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", original);
    button.textContent = label;
    window.setTimeout(function () { button.textContent = original; }, 1500);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".copy-button") : null;
    if (!button) { return; }
    var value = button.getAttribute("data-copy") || "";
    var shown = button.previousElementSibling;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(value).then(
        function () { done(button, "Copied"); },
        function () { if (shown) { selectText(shown); } done(button, "Press Ctrl+C"); }
      );
    } else {
      if (shown) { selectText(shown); }
      done(button, "Press Ctrl+C");
    }
  });
})();
