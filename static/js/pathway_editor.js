/* The pathway editor: drag-and-drop reordering with Sortable, and keeping keyboard focus
 * on the moved item after the up/down buttons re-render the structure.
 *
 * Each sortable list names (data-sortable-form) the empty form its hidden inputs belong
 * to. Sortable moves the list items, so the form's inputs are then in the new order;
 * submitting the form sends the whole order to the server in one request, which htmx
 * answers with the refreshed structure. No inline scripts: a strict CSP is coming.
 */
(function () {
  "use strict";

  function initSortables(root) {
    if (typeof Sortable === "undefined") return;
    root.querySelectorAll("[data-sortable-form]").forEach(function (list) {
      if (list.dataset.sortableReady) return;
      list.dataset.sortableReady = "1";
      Sortable.create(list, {
        handle: list.dataset.handle || ".drag-handle",
        animation: 150,
        // Mouse-event dragging (not native HTML5 drag and drop): the same in every
        // browser, and it moves the ghost with CSSOM styles, which the CSP allows.
        forceFallback: true,
        ghostClass: "drag-ghost",
        onEnd: function (event) {
          if (event.oldIndex === event.newIndex) return;
          var form = document.getElementById(list.dataset.sortableForm);
          if (form) form.requestSubmit();
        },
      });
    });
  }

  // Remember which up/down button was pressed (a click, or Enter/Space on it), to put
  // the focus back on the moved item once htmx has swapped in the new order.
  var focusAfterSwap = null;
  document.addEventListener(
    "click",
    function (event) {
      var button = event.target.closest && event.target.closest('button[name="move"]');
      focusAfterSwap = button ? button.value : null;
    },
    true
  );
  function restoreFocus() {
    if (!focusAfterSwap) return;
    var button = document.querySelector('button[name="move"][value="' + CSS.escape(focusAfterSwap) + '"]');
    if (!button) return;
    if (button.disabled) {
      // Moved to the top or bottom: focus its other button instead.
      var parts = focusAfterSwap.split(":");
      var other = parts[0] + ":" + (parts[1] === "up" ? "down" : "up");
      button = document.querySelector('button[name="move"][value="' + CSS.escape(other) + '"]');
    }
    focusAfterSwap = null;
    if (button) button.focus();
  }
  document.addEventListener("htmx:afterSettle", restoreFocus);

  // Sortable (and the browser, on form fields) leave empty style attributes behind;
  // htmx copies the style attribute of elements it settles, which the CSP refuses.
  // None of the builder's markup needs inline styles, so drop them before a swap.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target) return;
    if (target.hasAttribute("style")) target.removeAttribute("style");
    target.querySelectorAll("[style]").forEach(function (el) {
      el.removeAttribute("style");
    });
  });

  function start() {
    if (window.htmx) {
      htmx.onLoad(initSortables);
    } else {
      initSortables(document);
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
